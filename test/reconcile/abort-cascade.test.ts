import { describe, expect, it } from 'vitest';
import { applyPlanToState } from '../../controller/reconcile/apply.js';
import { reconcile } from '../../controller/reconcile/reconcile.js';
import { appliance, assigned, desired, NOW, observedRollout, rollout, seen, state } from './builders.js';

// Found by the property "plans idempotently": r-0 trips abort on a-3's failure and withdraws it,
// which restores r-2's older assignment; r-2 is held Aborted, so the cascade withdraws that too and
// restores r-1's still older one — r-1 is planned before r-0, so the plan must be made again.
describe('an abort whose withdrawal cascades to a higher-ranked rollout', () => {
  const window = { days: ['mon', 'sat'] as ('mon' | 'sat')[], start: '10:00', end: '14:00', timeZone: 'UTC' };
  const r0 = rollout('r-0', { release: 'v1.0.3', selector: { matchLabels: { ring: 'canary' } }, stages: [{ percent: 50, soak: '30m' }, { percent: 100, soak: '30m' }], progressDeadline: '1h', maxConcurrent: 2, action: 'abort', window });
  const r1 = rollout('r-1', { release: 'v1.0.4', stages: [{ percent: 10 }, { percent: 50 }, { percent: 100 }], progressDeadline: '1h', window });
  const r2 = rollout('r-2', { release: 'v1.0.2', stages: [{ percent: 1, soak: '2h' }, { percent: 2, soak: '2h' }, { percent: 100, soak: '2h' }], progressDeadline: '1h', maxConcurrent: 1, maxFailures: 2 });
  const d = desired({
    appliances: [appliance('a-0', { ring: 'broad' }), appliance('a-1', { ring: 'canary' }), appliance('a-2', { ring: 'broad' }), appliance('a-3', { ring: 'broad' }), appliance('a-4', { ring: 'broad' })],
    rollouts: [r0, r1, r2],
  });
  const started = { stage: 1, stageStartedAt: '2026-01-31T12:00:00.000Z', phase: 'Pending' as const };
  const observed = state({
    appliances: [seen('a-3', { at: '2026-01-31T12:00:00.000Z', version: '1.0.1', update: { release: 'v1.0.3', phase: 'failed', since: '2026-01-31T12:00:00.000Z', error: 'boom' } })],
    rollouts: [
      observedRollout('r-0', { ...started, assignments: [assigned('a-2', 'v1.0.3', '2026-01-31T12:00:00.000Z'), assigned('a-3', 'v1.0.3', '2026-01-30T11:54:00.000Z')] }),
      observedRollout('r-1', { ...started, assignments: [assigned('a-1', 'v1.0.4', '2026-01-31T12:00:00.000Z'), assigned('a-3', 'v1.0.4', '2026-01-29T16:55:00.000Z')] }),
      observedRollout('r-2', {
        ...started,
        assignments: [assigned('a-0', 'v1.0.2', '2026-01-31T12:00:00.000Z'), assigned('a-2', 'v1.0.2', '2026-01-31T12:00:00.000Z'), assigned('a-3', 'v1.0.2', '2026-01-30T11:54:00.000Z')],
        latch: { phase: 'Aborted', specHash: r2.specHash, at: '2026-01-31T10:20:00.000Z' },
      }),
    ],
  });

  it('counts the target given back to the higher-ranked rollout in the same plan', () => {
    const plan = reconcile(d, observed, NOW);
    expect(plan.appliances.find((a) => a.id === 'a-3')).toMatchObject({ rollout: 'r-1', target: 'v1.0.4', status: 'stuck' });
    expect(plan.rollouts.find((r) => r.name === 'r-1')).toMatchObject({ phase: 'Stalled', counts: { targeted: 3, stuck: 1 } });
  });

  it('plans nothing more once its plan is applied', () => {
    const plan = reconcile(d, observed, NOW);
    expect(reconcile(d, applyPlanToState(observed, plan), NOW).actions).toEqual([]);
  });
});
