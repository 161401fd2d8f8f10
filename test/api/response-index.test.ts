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
