import { describe, expect, it } from 'vitest';
import { buildContext } from '../../controller/reconcile/context.js';
import { recordMember, statusAt, verdictAt } from '../../controller/reconcile/engine/member-table.js';
import { causeOf, memberReason } from '../../controller/reconcile/stuck-reasons.js';
import type { ApplianceObservation } from '../../controller/observed/state-schema.js';
import { appliance, desired, NOW, seen, state, type ObservationOptions } from './builders.js';

const RELEASE = { name: 'v1.0.49', version: '1.0.49' };
const HOUR = 3_600_000;
const ASSIGNED = '2026-01-31T06:00:00Z';

// One appliance `a` observed as given, assigned v1.0.49 at ASSIGNED with a 2h progress deadline.
function member(obs: ObservationOptions | null, assignedAt = ASSIGNED) {
  const observations: ApplianceObservation[] = obs ? [seen('a', obs)] : [];
  const ctx = buildContext(desired({ appliances: [appliance('a')] }), state({ appliances: observations }), NOW);
  const at = Date.parse(assignedAt);
  recordMember(ctx.members, 0, 0, at, verdictAt(ctx.seen, 0, at, { release: RELEASE, progressDeadlineMs: 2 * HOUR, nowMs: NOW.getTime() }));
  const status = statusAt(ctx.members, 0);
  return { m: { status }, reason: memberReason(ctx, 0, RELEASE), cause: status === 'succeeded' || status === 'failed' ? null : causeOf(ctx, 0, RELEASE).kind };
}

describe('an assigned appliance’s status', () => {
  const rows: { name: string; given: { obs: ObservationOptions | null; assignedAt?: string }; want: { status: string; reason?: string } }[] = [
    { name: 'succeeded when its agent reports the release’s version', given: { obs: { version: '1.0.49' } }, want: { status: 'succeeded', reason: 'runs v1.0.49' } },
    {
      name: 'failed when it reports failure for the release since its assignment, with attempts and error',
      given: { obs: { update: { release: 'v1.0.49', phase: 'failed', since: '2026-01-31T07:00:00Z', attempt: 3, error: 'sha256 mismatch' } } },
      want: { status: 'failed', reason: 'failed 3 times: sha256 mismatch' },
    },
    {
      name: 'not failed by a failure reported before this assignment',
      given: { obs: { update: { release: 'v1.0.49', phase: 'failed', since: '2026-01-31T05:00:00Z' } }, assignedAt: '2026-01-31T11:00:00Z' },
      want: { status: 'pending' },
    },
    { name: 'updating while in a phase before its deadline', given: { obs: { update: { release: 'v1.0.49', phase: 'installing', since: '2026-01-31T11:50:00Z' } }, assignedAt: '2026-01-31T11:00:00Z' }, want: { status: 'updating', reason: 'in phase installing since 2026-01-31T11:50:00.000Z' } },
    { name: 'stuck once assignment + progressDeadline has passed', given: { obs: {} }, want: { status: 'stuck', reason: 'stuck since 2026-01-31T08:00:00.000Z' } },
    { name: 'stuck even while in a phase, past its deadline', given: { obs: { update: { release: 'v1.0.49', phase: 'downloading', since: '2026-01-31T07:00:00Z' } } }, want: { status: 'stuck', reason: 'in phase downloading' } },
    { name: 'never stuck while deferring', given: { obs: { deferUntil: '2026-01-31T13:00:00Z' } }, want: { status: 'pending', reason: 'deferring updates until 2026-01-31T13:00:00.000Z' } },
    { name: 'its deadline counts from its last deferUntil when later than the assignment', given: { obs: { deferUntil: '2026-01-31T10:30:00Z' } }, want: { status: 'pending' } },
    { name: 'stuck when even the deferral’s deadline passed', given: { obs: { deferUntil: '2026-01-31T09:00:00Z' } }, want: { status: 'stuck', reason: 'stuck since 2026-01-31T11:00:00.000Z' } },
    { name: 'pending when just assigned', given: { obs: {}, assignedAt: '2026-01-31T11:30:00Z' }, want: { status: 'pending' } },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const { m, reason } = member(row.given.obs, row.given.assignedAt);
      expect(m.status).toBe(row.want.status);
      if (row.want.reason) expect(reason).toContain(row.want.reason);
    });
  }
});

describe('the reason an unfinished appliance gives, first that applies', () => {
  const rows: { name: string; given: { obs: ObservationOptions | null; assignedAt?: string }; want: string }[] = [
    { name: 'offline since last check-in + offlineAfter, before anything else', given: { obs: { at: '2026-01-31T09:00:00Z', deferUntil: '2026-02-01T00:00:00Z', update: { release: 'v1.0.49', phase: 'downloading' } } }, want: 'offline' },
    { name: 'never checked in at all', given: { obs: null }, want: 'never-checked-in' },
    { name: 'no check-in since assignment', given: { obs: { at: '2026-01-31T11:55:00Z' }, assignedAt: '2026-01-31T11:56:00Z' }, want: 'never-checked-in' },
    { name: 'deferring until a time', given: { obs: { deferUntil: '2026-02-01T00:00:00Z', update: { release: 'v1.0.49', phase: 'downloading' } } }, want: 'deferring' },
    { name: 'in an update phase since a time', given: { obs: { update: { release: 'v1.0.49', phase: 'verifying' } } }, want: 'in-phase' },
    { name: 'checked in but never acknowledged (a report about another release does not count)', given: { obs: { update: { release: 'v1.0.45', phase: 'downloading' } } }, want: 'not-acknowledged' },
  ];
  for (const row of rows) {
    it(row.name, () => {
      expect(member(row.given.obs, row.given.assignedAt).cause).toBe(row.want);
    });
  }

  it('says offline since when, and when it last checked in', () => {
    expect(member({ at: '2026-01-31T09:00:00Z' }).reason).toBe(
      'offline since 2026-01-31T09:10:00.000Z (last check-in 2026-01-31T09:00:00.000Z); stuck since 2026-01-31T08:00:00.000Z',
    );
  });
});
