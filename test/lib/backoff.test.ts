import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UPDATE_BACKOFF } from '../../agent/core/work.js';
import { CHECKIN_BACKOFF } from '../../agent/protocol/checkin-retry.js';
import { NOTIFY_BACKOFF } from '../../controller/notify/sender.js';
import { CALENDAR_BACKOFF } from '../../controller/ots/calendar-client.js';
import { PASS_BACKOFF } from '../../controller/runtime/loop.js';
import { FETCH_BACKOFF } from '../../controller/sources/source.js';
import { backoffDelayMs, type BackoffPolicy } from '../../lib/backoff.js';

describe('backoffDelayMs', () => {
  it.each([
    // Exactly on time, doubling from 5 s to at most 5 min: source fetches and reconcile passes.
    { name: 'fetch: nothing failed, no wait', given: { policy: FETCH_BACKOFF, failures: 0, draw: 0.5 }, want: 0 },
    { name: 'fetch: first failure', given: { policy: FETCH_BACKOFF, failures: 1, draw: 0.5 }, want: 5_000 },
    { name: 'fetch: second failure doubles', given: { policy: FETCH_BACKOFF, failures: 2, draw: 0.5 }, want: 10_000 },
    { name: 'fetch: fourth failure', given: { policy: FETCH_BACKOFF, failures: 4, draw: 0.5 }, want: 40_000 },
    { name: 'fetch: seventh failure is capped', given: { policy: FETCH_BACKOFF, failures: 7, draw: 0.5 }, want: 300_000 },
    { name: 'fetch: a huge count stays capped', given: { policy: FETCH_BACKOFF, failures: 1_000, draw: 0.5 }, want: 300_000 },
    { name: 'pass: first failure', given: { policy: PASS_BACKOFF, failures: 1, draw: 0.9 }, want: 5_000 },
    { name: 'calendar: first failure rests 30 s', given: { policy: CALENDAR_BACKOFF, failures: 1, draw: 0.5 }, want: 30_000 },
    { name: 'calendar: capped at an hour', given: { policy: CALENDAR_BACKOFF, failures: 9, draw: 0.5 }, want: 3_600_000 },
    // The upper half of the doubling delay: notification deliveries.
    { name: 'notify: first failure, lowest draw', given: { policy: NOTIFY_BACKOFF, failures: 1, draw: 0 }, want: 5_000 },
    { name: 'notify: first failure, middle draw', given: { policy: NOTIFY_BACKOFF, failures: 1, draw: 0.5 }, want: 7_500 },
    { name: 'notify: third failure, highest draw', given: { policy: NOTIFY_BACKOFF, failures: 3, draw: 0.999 }, want: 39_980 },
    { name: 'notify: capped at 10 min, lowest draw', given: { policy: NOTIFY_BACKOFF, failures: 10, draw: 0 }, want: 300_000 },
    { name: 'notify: nothing failed, no wait', given: { policy: NOTIFY_BACKOFF, failures: 0, draw: 0.5 }, want: 0 },
    // Full jitter above a floor: agent check-ins and update attempts.
    { name: 'check-in: first retry, lowest draw hits the floor', given: { policy: CHECKIN_BACKOFF, failures: 1, draw: 0 }, want: 1_000 },
    { name: 'check-in: first retry, highest draw', given: { policy: CHECKIN_BACKOFF, failures: 1, draw: 0.999 }, want: 1_998 },
    { name: 'check-in: third retry, middle draw', given: { policy: CHECKIN_BACKOFF, failures: 3, draw: 0.5 }, want: 4_000 },
    { name: 'check-in: tenth retry reaches the cap', given: { policy: CHECKIN_BACKOFF, failures: 10, draw: 0.999 }, want: 299_700 },
    { name: 'check-in: a huge count stays capped', given: { policy: CHECKIN_BACKOFF, failures: 10_000, draw: 0.5 }, want: 150_000 },
    { name: 'update: first attempt, lowest draw hits the floor', given: { policy: UPDATE_BACKOFF, failures: 1, draw: 0 }, want: 5_000 },
    { name: 'update: first attempt, middle draw', given: { policy: UPDATE_BACKOFF, failures: 1, draw: 0.5 }, want: 15_000 },
    { name: 'update: second attempt, highest draw', given: { policy: UPDATE_BACKOFF, failures: 2, draw: 0.999 }, want: 59_940 },
    { name: 'update: capped at an hour', given: { policy: UPDATE_BACKOFF, failures: 8, draw: 0.5 }, want: 1_800_000 },
    // A floor above the first ceiling lifts the ceiling too.
    { name: 'a floor above the base', given: { policy: { baseMs: 100, maxMs: 1_000, floorMs: 500 }, failures: 1, draw: 0.5 }, want: 500 },
  ])('$name: $want ms', ({ given, want }) => {
    expect(backoffDelayMs(given.failures, given.policy, () => given.draw)).toBe(want);
  });

  it('stays between the floor and the cap, whatever the draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (failures, draw) => {
        for (const policy of [FETCH_BACKOFF, NOTIFY_BACKOFF, CHECKIN_BACKOFF, UPDATE_BACKOFF]) {
          const delay = backoffDelayMs(failures, policy, () => draw);
          expect(delay).toBeGreaterThanOrEqual(policy.floorMs ?? 0);
          expect(delay).toBeLessThanOrEqual(policy.maxMs);
        }
      }),
    );
  });

  // The retry-delay functions this one replaced, as they were: the controller's (doubling from
  // `initialMs`, optionally drawn from the upper half; the calendar client's was the same without
  // jitter) and the agent's (full jitter above a floor).
  const formerController = (failures: number, initialMs: number, maxMs: number, jittered: boolean, draw: number) => {
    if (failures <= 0) return 0;
    const delay = Math.min(maxMs, initialMs * 2 ** Math.min(failures - 1, 30));
    return jittered ? Math.floor(delay / 2 + (delay / 2) * draw) : delay;
  };
  const formerAgent = (failures: number, policy: Required<Pick<BackoffPolicy, 'baseMs' | 'maxMs' | 'floorMs'>>, draw: number) => {
    const exponent = Math.max(0, Math.min(failures - 1, 40));
    const ceiling = Math.max(policy.floorMs, Math.min(policy.maxMs, policy.baseMs * 2 ** exponent));
    return Math.max(policy.floorMs, Math.floor(draw * ceiling));
  };

  it('gives what the former functions gave, for any policy they were given', () => {
    const draws = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 10_000_000 }), fc.boolean(), draws, (failures, baseMs, maxMs, jittered, draw) => {
        const policy: BackoffPolicy = { baseMs, maxMs, jitter: jittered ? 'upper-half' : 'none' };
        expect(backoffDelayMs(failures, policy, () => draw)).toBe(formerController(failures, baseMs, maxMs, jittered, draw));
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 100_000 }), fc.integer({ min: 1, max: 10_000_000 }), fc.integer({ min: 0, max: 50_000 }), draws, (failures, baseMs, maxMs, floorMs, draw) => {
        const delay = backoffDelayMs(failures, { baseMs, maxMs, floorMs, jitter: 'full' }, () => draw);
        expect(delay).toBe(formerAgent(failures, { baseMs, maxMs, floorMs }, draw));
      }),
    );
  });
});
