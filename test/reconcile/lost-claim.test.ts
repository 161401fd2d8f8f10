import { describe, expect, it } from 'vitest';
import { applyPlanToState } from '../../controller/reconcile/apply.js';
import { reconcile } from '../../controller/reconcile/reconcile.js';
import { appliance, assigned, desired, NOW, observedRollout, release, rollout, seen, state } from './builders.js';

// Found by the property "plans idempotently": r-2 assigned a-3, then the (now removed) r-1 assigned
// it later, so r-2 lost it to a claim. r-0, ranked below r-2, claims a-3 from the removed r-1. Once
// that is applied, a-3's target comes from a declared rollout ranked below r-2: r-2 must still
// count a-3 as lost, and not take it back (which made r-0 Superseded on the re-plan).
describe('an appliance lost to a claim, claimed on by a lower-ranked rollout', () => {
  const canary = { matchLabels: { ring: 'canary' } };
  const d = desired({
    appliances: [appliance('a-0', { ring: 'canary' }), appliance('a-3', { ring: 'canary' })],
    releases: [release('v1.0.1')],
    rollouts: [rollout('r-0', { release: 'v1.0.2', selector: canary }), rollout('r-2', { release: 'v1.0.2', selector: canary, stages: [{ percent: 50 }, { percent: 100 }] })],
  });
  const observed = state({
    appliances: [seen('a-3', { at: '2026-01-31T12:00:00.000Z', version: '1.0.1' })],
    rollouts: [
      observedRollout('r-1', { stageStartedAt: '2026-01-31T12:00:00.000Z', phase: 'Pending', assignments: [assigned('a-3', 'v1.0.1', '2026-01-31T12:00:00.000Z')] }),
      observedRollout('r-2', { stage: 2, stageStartedAt: '2026-01-31T12:00:00.000Z', phase: 'Pending', assignments: [assigned('a-3', 'v1.0.2', '2026-01-31T11:59:00.000Z')] }),
    ],
  });
  const targetOf = (p: ReturnType<typeof reconcile>, id: string) => p.appliances.find((a) => a.id === id);

  it('leaves the appliance to the lower-ranked rollout that claimed it from the removed one', () => {
    const plan = reconcile(d, observed, NOW);
    expect(targetOf(plan, 'a-3')).toMatchObject({ rollout: 'r-0', target: 'v1.0.2' });
    expect(targetOf(plan, 'a-0')).toMatchObject({ rollout: 'r-2', target: 'v1.0.2' });
  });

  it('does not take it back once that claim is applied', () => {
    const plan = reconcile(d, observed, NOW);
    const again = reconcile(d, applyPlanToState(observed, plan), NOW);
    expect(again.actions).toEqual([]);
    expect(targetOf(again, 'a-3')).toMatchObject({ rollout: 'r-0', target: 'v1.0.2' });
    expect(again.rollouts.find((r) => r.name === 'r-0')?.phase).toBe(plan.rollouts.find((r) => r.name === 'r-0')?.phase);
  });
});
