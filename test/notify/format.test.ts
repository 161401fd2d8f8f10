import { createHmac, timingSafeEqual } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import type { NotificationEvent } from '../../controller/notify/events.js';
import { requestFor, slackText } from '../../controller/notify/format.js';

const base: NotificationEvent = {
  id: 'abc',
  at: '2026-12-04T10:00:00.000Z',
  notifier: 'n',
  event: 'finding.opened',
  type: 'StuckAppliance',
  severity: 'error',
  subject: { appliance: 'lab-01', rollout: 'v1.0.51' },
  message: 'in phase downloading since 04:15:52',
};

/** The receiver's check, as docs/notifications.md shows it. */
function verify(body: Buffer, header: string | undefined, key: string): boolean {
  const want = Buffer.from(`sha256=${createHmac('sha256', key).update(body).digest('hex')}`);
  const got = Buffer.from(header ?? '');
  return got.length === want.length && timingSafeEqual(got, want);
}

describe('the json request', () => {
  test('is the event, signed so the documented receiver accepts it and rejects a changed body or key', () => {
    const { body, headers } = requestFor(base, { format: 'json' }, 'k3y');
    expect(JSON.parse(body)).toEqual(base);
    expect(headers['x-muster-event-id']).toBe('abc');
    expect(verify(Buffer.from(body), headers['x-muster-signature-256'], 'k3y')).toBe(true);
    expect(verify(Buffer.from(body.replace('lab-01', 'lab-02')), headers['x-muster-signature-256'], 'k3y')).toBe(false);
    expect(verify(Buffer.from(body), headers['x-muster-signature-256'], 'other')).toBe(false);
  });

  test('is unsigned without a key', () => {
    expect(requestFor(base, { format: 'json' }, null).headers['x-muster-signature-256']).toBeUndefined();
  });
});

describe('the slack text says what, where, why and links', () => {
  test.each([
    { name: 'a finding opens', given: { ...base, link: 'https://m.example/appliances/lab-01' }, want: 'Error: StuckAppliance on appliance lab-01 (rollout v1.0.51): in phase downloading since 04:15:52 <https://m.example/appliances/lab-01|open in Muster>' },
    { name: 'a finding resolves', given: { ...base, event: 'finding.resolved' as const }, want: 'Resolved: StuckAppliance on appliance lab-01 (rollout v1.0.51)' },
    { name: 'a warning on a policy', given: { ...base, severity: 'warning', type: 'OtsBacklog', subject: { policy: 'default' }, message: '6000 pending' }, want: 'Warning: OtsBacklog on default: 6000 pending' },
    {
      name: 'a rollout enters a phase',
      given: { ...base, event: 'rollout.phase' as const, type: 'RolloutPhase', phase: 'Stalled' as const, previousPhase: 'Progressing' as const, subject: { rollout: 'v1.0.51' }, message: 'Stage 3/3 (100%): 4 stuck' },
      want: 'Rollout v1.0.51 is Stalled (was Progressing): Stage 3/3 (100%): 4 stuck',
    },
  ])('$name', ({ given, want }) => {
    expect(slackText(given)).toBe(want);
    expect(JSON.parse(requestFor(given, { format: 'slack' }, null).body)).toEqual({ text: want });
  });
});
