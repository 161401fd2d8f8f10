import type { Assignment, RolloutObservation, StateDocument } from '../observed/state-schema.js';
import type { Plan } from './plan.js';

/**
 * The observed state once a plan is applied, as the stores apply it — a pure function that leaves
 * its input untouched. SetPhase sets the phase (creating an absent rollout at stage 1 started at
 * `plan.now`) and the latch (`{phase, specHash}` → `{phase, specHash, at: plan.now}`, null clears it,
 * absent keeps it); AdvanceStage sets the stage and its start; AssignRelease records an assignment
 * at `plan.now` (replacing one of the same appliance) with the `previous` target it names, if any;
 * WithdrawRelease deletes it (the appliance's latest earlier assignment is its target again);
 * ExpireProofs moves the pending buckets older than its cutoff to `expired`. Rollout conditions,
 * revisions, releases, versions and rollback flags are recorded from the plan's statuses.
 */
export function applyPlanToState(state: StateDocument, plan: Plan): StateDocument {
  const rollouts = new Map<string, RolloutObservation>(state.rollouts.map((r) => [r.name, { ...r, assignments: [...r.assignments] }]));
  let proofs = { ...state.proofs, pending: [...state.proofs.pending] };
  // Assignments of the rollouts this plan assigns or withdraws, keyed by appliance in the order made.
  const touched = new Map<string, Map<string, Assignment>>();
  const assignmentsOf = (r: RolloutObservation) => {
    let byAppliance = touched.get(r.name);
    if (!byAppliance) touched.set(r.name, (byAppliance = new Map(r.assignments.map((a) => [a.appliance, a]))));
    return byAppliance;
  };
  const rollout = (name: string): RolloutObservation => {
    let r = rollouts.get(name);
    if (!r) rollouts.set(name, (r = { name, stage: 1, stageStartedAt: plan.now, phase: 'Pending', assignments: [] }));
    return r;
  };
  for (const action of plan.actions) {
    switch (action.type) {
      case 'SetPhase': {
        const r = rollout(action.rollout);
        r.phase = action.phase;
        if (action.latch === null) r.latch = null;
        else if (action.latch) r.latch = { phase: action.latch.phase, specHash: action.latch.specHash, at: plan.now };
        break;
      }
      case 'AdvanceStage': {
        const r = rollout(action.rollout);
        r.stage = action.to;
        r.stageStartedAt = action.startedAt;
        break;
      }
      case 'AssignRelease': {
        const byAppliance = assignmentsOf(rollout(action.rollout));
        byAppliance.delete(action.appliance);
        const made: Assignment = { appliance: action.appliance, release: action.release, at: plan.now };
        if (action.previous) made.previous = action.previous;
        byAppliance.set(action.appliance, made);
        break;
      }
      case 'WithdrawRelease': {
        const r = rollouts.get(action.rollout);
        if (r) assignmentsOf(r).delete(action.appliance);
        break;
      }
      case 'ExpireProofs': {
        const cutoff = Date.parse(action.olderThan);
        const kept = proofs.pending.filter((b) => !(Date.parse(b.createdAt) < cutoff));
        proofs = { ...proofs, pending: kept, expired: proofs.expired + action.count };
        break;
      }
    }
  }
  for (const [name, byAppliance] of touched) rollout(name).assignments = [...byAppliance.values()];
  for (const status of plan.rollouts) {
    const r = rollouts.get(status.name);
    if (r) {
      r.conditions = status.conditions;
      r.revision = status.revision;
      r.release = status.release;
      if (status.version) r.version = status.version;
      r.rollback = status.rollback;
    }
  }
  return { ...state, rollouts: [...rollouts.values()].sort((a, b) => (a.name < b.name ? -1 : 1)), proofs };
}
