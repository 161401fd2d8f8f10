import { matchesSelector } from '../desired/selector.js';
import type { DesiredState } from '../desired/types.js';
import { computeCohortOrder, stageSize } from './cohorts.js';

export interface StageMembers {
  /** 1-based. */
  stage: number;
  percent: number;
  /** Appliances targeted once this stage has begun (cumulative). */
  size: number;
  /** The appliances this stage adds, in cohort order. */
  members: string[];
}

/**
 * Each stage of a rollout with the appliances it adds (the eligible appliances in cohort order, cut
 * at each stage's cumulative size), and how many are eligible; null when the desired state has no
 * such rollout. The same cohorts the reconciler assigns from.
 */
export function stageMembers(desired: DesiredState, rolloutName: string): { eligible: number; stages: StageMembers[] } | null {
  const rollout = desired.rollouts.find((r) => r.name === rolloutName);
  if (!rollout) return null;
  const eligible = desired.appliances.filter((a) => matchesSelector(rollout.selector, a.labels)).map((a) => a.name);
  const order = computeCohortOrder(rolloutName, eligible);
  let previous = 0;
  const stages = rollout.stages.map((stage, i) => {
    const size = stageSize(stage.percent, eligible.length);
    const members = order.slice(previous, size);
    previous = Math.max(previous, size);
    return { stage: i + 1, percent: stage.percent, size, members };
  });
  return { eligible: eligible.length, stages };
}
