import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, CHECKIN_BACKOFF, MAX_RETRY_AFTER_MS, parseRetryAfter, retryDelayMs, UPDATE_BACKOFF } from '../../agent/protocol/backoff.js';

const NOW = Date.parse('2026-02-02T12:00:00Z');

describe('backoff', () => {
  it('stays between the floor and the cap, whatever the draw', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (failures, draw) => {
        for (const policy of [CHECKIN_BACKOFF, UPDATE_BACKOFF]) {
          const delay = backoffDelayMs(failures, policy, () => draw);
          expect(delay).toBeGreaterThanOrEqual(policy.floorMs);
          expect(delay).toBeLessThanOrEqual(policy.maxMs);
        }
      }),
    );
  });

  it('spreads retries over the whole window (full jitter) and doubles the window per failure', () => {
    const rows = [
      { name: 'first retry, lowest draw', given: { failures: 1, draw: 0 }, want: 1_000 },
      { name: 'first retry, highest draw', given: { failures: 1, draw: 0.999 }, want: 1_998 },
      { name: 'third retry, middle draw', given: { failures: 3, draw: 0.5 }, want: 4_000 },
      { name: 'tenth retry reaches the cap', given: { failures: 10, draw: 0.999 }, want: 299_700 },
      { name: 'a huge count stays capped', given: { failures: 10_000, draw: 0.5 }, want: 150_000 },
    ];
    for (const { given, want } of rows) expect(backoffDelayMs(given.failures, CHECKIN_BACKOFF, () => given.draw)).toBe(want);
  });

  it('honours Retry-After, bounded, and never below the floor', () => {
    expect(retryDelayMs(1, 120_000, CHECKIN_BACKOFF, () => 0)).toBe(120_000);
    expect(retryDelayMs(1, 0, CHECKIN_BACKOFF, () => 0)).toBe(CHECKIN_BACKOFF.floorMs);
    expect(retryDelayMs(1, 30 * 86_400_000, CHECKIN_BACKOFF, () => 0)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryDelayMs(4, null, CHECKIN_BACKOFF, () => 0.5)).toBe(8_000);
  });

  it.each([
    { name: 'seconds', given: '120', want: 120_000 },
    { name: 'an HTTP date', given: 'Mon, 02 Feb 2026 12:01:30 GMT', want: 90_000 },
    { name: 'a date in the past', given: 'Mon, 02 Feb 2026 11:00:00 GMT', want: 0 },
    { name: 'garbage', given: 'soon', want: null },
    { name: 'absent', given: null, want: null },
  ])('reads Retry-After given as $name', ({ given, want }) => {
    expect(parseRetryAfter(given, NOW)).toBe(want);
  });
});
