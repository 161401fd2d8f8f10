import { describe, expect, it } from 'vitest';
import { applyPlanToState } from '../../controller/reconcile/apply.js';
import type { Plan } from '../../controller/reconcile/plan.js';
import { assigned, observedRollout, state } from './builders.js';

const plan = (actions: Plan['actions']): Plan => ({ now: '2026-01-31T12:00:00.000Z', revision: 'r', errors: [], rollouts: [], appliances: [], findings: [], actions });

describe('applyPlanToState', () => {
  const before = state({
    rollouts: [observedRollout('ro', { assignments: [assigned('a', 'v1', '2026-01-30T00:00:00Z'), assigned('b', 'v1', '2026-01-30T00:00:00Z')] })],
    proofs: { pending: [{ createdAt: '2026-01-01T00:00:00Z', count: 7 }, { createdAt: '2026-01-30T00:00:00Z', count: 3 }], expired: 1 },
  });
  const rows: { name: string; given: Plan['actions']; want: (s: ReturnType<typeof applyPlanToState>) => unknown; equals: unknown }[] = [
    {
      name: 'SetPhase from null creates the rollout at stage 1 started at now',
      given: [{ type: 'SetPhase', rollout: 'new', phase: 'Progressing', from: null }],
      want: (s) => s.rollouts.find((r) => r.name === 'new'),
      equals: { name: 'new', stage: 1, stageStartedAt: '2026-01-31T12:00:00.000Z', phase: 'Progressing', assignments: [] },
    },
    {
      name: 'SetPhase with a latch records phase, spec hash and now; null clears it',
      given: [{ type: 'SetPhase', rollout: 'ro', phase: 'Aborted', from: 'Progressing', latch: { phase: 'Aborted', specHash: 'h' } }],
      want: (s) => s.rollouts[0]?.latch,
      equals: { phase: 'Aborted', specHash: 'h', at: '2026-01-31T12:00:00.000Z' },
    },
    { name: 'AdvanceStage sets the stage and its start', given: [{ type: 'AdvanceStage', rollout: 'ro', from: 1, to: 2, startedAt: '2026-01-31T10:00:00.000Z' }], want: (s) => [s.rollouts[0]?.stage, s.rollouts[0]?.stageStartedAt], equals: [2, '2026-01-31T10:00:00.000Z'] },
    {
      name: 'AssignRelease records the assignment at now, replacing one of the same appliance',
      given: [{ type: 'AssignRelease', appliance: 'a', release: 'v2', rollout: 'ro' }],
      want: (s) => s.rollouts[0]?.assignments,
      equals: [assigned('b', 'v1', '2026-01-30T00:00:00Z'), assigned('a', 'v2', '2026-01-31T12:00:00.000Z')],
    },
    { name: 'WithdrawRelease deletes the assignment', given: [{ type: 'WithdrawRelease', appliance: 'a', rollout: 'ro' }], want: (s) => s.rollouts[0]?.assignments.map((a) => a.appliance), equals: ['b'] },
    {
      name: 'ExpireProofs moves the old pending buckets to expired',
      given: [{ type: 'ExpireProofs', count: 7, olderThan: '2026-01-24T12:00:00.000Z' }],
      want: (s) => [s.proofs.pending.map((p) => p.count), s.proofs.expired],
      equals: [[3], 8],
    },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const copy = structuredClone(before);
      expect(row.want(applyPlanToState(before, plan(row.given)))).toEqual(row.equals);
      expect(before).toEqual(copy);
    });
  }
});
