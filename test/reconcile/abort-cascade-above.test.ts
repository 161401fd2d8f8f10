import { describe, expect, it } from 'vitest';
import { applyPlanToState } from '../../controller/reconcile/apply.js';
import { reconcile } from '../../controller/reconcile/reconcile.js';
import { appliance, assigned, desired, observedRollout, rollout, seen, state } from './builders.js';

// Found by the property "plans idempotently": r-2 trips abort and withdraws a-3, which restores
// r-1's assignment; r-1 aborts in this plan too, so the cascade withdraws that and restores the
// rollback r-0's, which r-0 (held Aborted) withdraws as well. r-0 ranks above r-2 and was planned
// before it: the plan must be made again so that r-0's withdrawal is among the actions.
describe('an abort whose withdrawal cascades into a held-Aborted rollout planned before it', () => {
  const now = new Date('2026-01-31T12:02:00.000Z');
  const r0 = rollout('r-0', { release: 'v1.0.4', rollback: true, action: 'abort' });
  const r1 = rollout('r-1', { release: 'v1.0.1', action: 'abort' });
  const r2 = rollout('r-2', { release: 'v1.0.1', action: 'abort', maxFailures: 1 });
  const d = desired({ appliances: [appliance('a-0'), appliance('a-3')], rollouts: [r0, r1, r2] });
  const failed = (since: string) => ({ release: 'v1.0.1', phase: 'failed' as const, since, error: 'boom' });
  const started = { stageStartedAt: '2026-01-31T12:00:00.000Z', phase: 'Progressing' as const };
  const observed = state({
    appliances: [seen('a-0', { at: '2026-01-31T12:02:00.000Z', update: failed('2026-01-31T12:02:00.000Z') }), seen('a-3', { at: '2026-01-31T12:01:00.000Z', update: failed('2026-01-31T12:01:00.000Z') })],
    rollouts: [
      observedRollout('r-0', { ...started, phase: 'Aborted', latch: { phase: 'Aborted', specHash: r0.specHash, at: '2026-01-31T12:01:00.000Z' }, assignments: [assigned('a-3', 'v1.0.4', '2026-01-29T16:59:00.000Z')] }),
      observedRollout('r-1', { ...started, assignments: [assigned('a-3', 'v1.0.1', '2026-01-31T12:00:00.000Z')] }),
      observedRollout('r-2', { ...started, assignments: [assigned('a-0', 'v1.0.1', '2026-01-31T12:00:00.000Z'), assigned('a-3', 'v1.0.1', '2026-01-31T12:00:00.000Z')] }),
    ],
  });

  it('withdraws the held-Aborted rollout’s target in the same plan', () => {
    const plan = reconcile(d, observed, now);
    expect(plan.actions.filter((a) => a.type === 'WithdrawRelease' && a.appliance === 'a-3').map((a) => a.type === 'WithdrawRelease' && a.rollout)).toEqual(['r-0', 'r-1', 'r-2']);
    expect(plan.appliances.find((a) => a.id === 'a-3')).toMatchObject({ target: null, rollout: null });
  });

  it('plans nothing more once its plan is applied', () => {
    const plan = reconcile(d, observed, now);
    expect(reconcile(d, applyPlanToState(observed, plan), now).actions).toEqual([]);
  });
});
