import { describe, expect, it } from 'vitest';
import { ResponseIndex } from '../../controller/api/response-index.js';
import { reconcile } from '../../controller/reconcile/reconcile.js';
import { desiredFrom, smallFleetFiles } from '../helpers/fleet.js';
import { state } from '../reconcile/builders.js';

const NOW = new Date('2026-03-02T10:00:00Z');

describe('the check-in answers of a plan', () => {
  it('tells each declared appliance its own target and policy, and anything else no target', () => {
    const desired = desiredFrom(smallFleetFiles());
    const plan = reconcile(desired, state(), NOW);
    const index = new ResponseIndex(desired, plan);
    const targets = plan.appliances.map((a) => a.target);
    expect(new Set(targets).size).toBeGreaterThan(1); // some assigned, some not: answers must differ
    for (const appliance of plan.appliances) {
      const answer = JSON.parse(index.responseFor(appliance.id)) as { target: { name: string } | null; retention: { policyHash: string } | null };
      expect(answer.target?.name ?? null).toBe(appliance.target);
      expect(answer.retention?.policyHash).toBe(desired.retentionPolicies[0]?.policyHash);
    }
    expect(JSON.parse(index.responseFor('ghost-01'))).toEqual({ target: null, retention: null, checkinIntervalSeconds: 30 });
  });
});

describe('a target whose Release left the repository', () => {
  it('is kept in the plan, answered at check-in as no target, and named by a TargetReleaseMissing warning', () => {
    const desired = desiredFrom(smallFleetFiles());
    const id = desired.appliances[0]?.name as string;
    const observed = state({
      appliances: [{ id, lastCheckinAt: '2026-03-02T09:59:00Z', agentVersion: '0.9.0', imageVersion: null, update: null, retention: null }],
      rollouts: [
        { name: 'old', stage: 1, stageStartedAt: '2026-03-01T00:00:00Z', phase: 'Complete', release: 'v0.9.0', version: '0.9.0', assignments: [{ appliance: id, release: 'v0.9.0', at: '2026-03-01T00:00:00Z' }] },
      ],
    });
    const plan = reconcile({ ...desired, rollouts: [] }, observed, NOW, { cache: null });
    expect(plan.appliances.find((a) => a.id === id)).toMatchObject({ target: 'v0.9.0', rollout: 'old' });
    expect(plan.findings).toContainEqual(expect.objectContaining({ type: 'TargetReleaseMissing', rollout: 'old' }));
    expect(JSON.parse(new ResponseIndex(desired, plan).responseFor(id))).toMatchObject({ target: null });
  });
});
