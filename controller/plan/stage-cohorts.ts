import type { DesiredState } from '../desired/types.js';
import type { Plan } from '../reconcile/plan.js';
import { stageMembers } from '../reconcile/stage-members.js';
import type { Change } from './changes.js';

/** The appliances one stage adds to the previous stage's cohort, in cohort order. */
export interface StageCohort {
  stage: number;
  percent: number;
  /** How many the stage covers in all (its cohort), and the ones it adds. */
  covers: number;
  adds: string[];
}

/** Who each stage of a new or changed rollout hits, for a reviewer before the merge. */
export interface RolloutCohorts {
  rollout: string;
  release: string;
  why: 'added' | 'changed' | 'starts';
  eligible: number;
  stages: StageCohort[];
}

/**
 * The cohorts of every rollout the change adds or edits (with a base), or that this plan starts
 * (without one): for each stage, on today's eligible set, how many appliances it covers and which
 * ones it adds to the previous stage, by the same cohort order the controller uses.
 */
export function stageCohorts(head: DesiredState, plan: Plan, changes: readonly Change[] | null): RolloutCohorts[] {
  const why = new Map<string, RolloutCohorts['why']>();
  if (changes) {
    for (const c of changes) if (c.kind === 'Rollout' && c.to !== null) why.set(c.name, c.field === null ? 'added' : 'changed');
  } else {
    for (const a of plan.actions) if (a.type === 'SetPhase' && a.from === null) why.set(a.rollout, 'starts');
  }
  const out: RolloutCohorts[] = [];
  for (const r of head.rollouts) {
    const reason = why.get(r.name);
    if (!reason) continue;
    const cohorts = stageMembers(head, r.name);
    if (!cohorts) continue;
    const stages = cohorts.stages.map((s) => ({ stage: s.stage, percent: s.percent, covers: s.size, adds: s.members }));
    out.push({ rollout: r.name, release: r.release, why: reason, eligible: cohorts.eligible, stages });
  }
  return out;
}
