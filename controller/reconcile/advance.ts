import type { Rollout } from '../desired/types.js';
import { assignCohort, type CohortScan } from './engine/assign-cohort.js';
import type { MemberSet } from './engine/member-set.js';
import { stageSize } from './cohorts.js';

export interface StageAdvance {
  from: number;
  to: number;
  startedAtMs: number;
}

export interface StageProgress {
  /** The 1-based stage the rollout is at once the plan is applied, and when it started. */
  stage: number;
  stageStartMs: number;
  advances: StageAdvance[];
  /** When the current stage completed (all members final, none held), or null. */
  completedAtMs: number | null;
}

export interface AdvanceInput {
  spec: Rollout;
  stage: number;
  stageStartMs: number;
  /** Whether the rollout may advance (not paused, not latched). */
  active: boolean;
  /** Whether any member is left that no higher-ranked rollout claimed; without one nothing ever completes. */
  anyNotClaimedByNewer: boolean;
  set: MemberSet;
  scan: Omit<CohortScan, 'from' | 'to'>;
}

/**
 * Walks the rollout forward as far as the rules allow at `now`: assigns the current stage's cohort
 * (see assignCohort), and when every member is final and none is held back, the stage completed at
 * its last member's final report (or its own start, if later); `soak` after that the next stage
 * begins, possibly before `now`, and is assigned in turn. Never skips a stage; an inactive rollout
 * only records which members its hold keeps back.
 */
export function advanceStages(input: AdvanceInput): StageProgress {
  const { spec, set, scan } = input;
  const last = spec.stages.length;
  let stage = input.stage;
  let stageStartMs = input.stageStartMs;
  const advances: StageAdvance[] = [];
  let scanned = 0;
  for (;;) {
    const size = stageSize(spec.stages[stage - 1]?.percent ?? 100, scan.order.length);
    assignCohort(set, { ...scan, from: scanned, to: size });
    scanned = Math.max(scanned, size);
    const completedAtMs = input.active && input.anyNotClaimedByNewer ? completion(set, stageStartMs) : null;
    if (completedAtMs === null || stage >= last) return { stage, stageStartMs, advances, completedAtMs };
    const nextStartMs = completedAtMs + (spec.stages[stage - 1]?.soakMs ?? 0);
    if (nextStartMs > scan.terms.nowMs) return { stage, stageStartMs, advances, completedAtMs };
    advances.push({ from: stage, to: stage + 1, startedAtMs: nextStartMs });
    stage += 1;
    stageStartMs = nextStartMs;
  }
}

// A stage whose cohort a higher-ranked rollout claimed whole completes at its start: the members left for
// this rollout are in later stages.
function completion(set: MemberSet, stageStartMs: number): number | null {
  if (set.inFlight > 0 || set.heldTotal > 0) return null;
  return Math.max(stageStartMs, set.latestFinalMs ?? stageStartMs);
}
