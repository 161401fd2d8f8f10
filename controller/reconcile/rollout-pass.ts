import type { Rollout } from '../desired/types.js';
import type { RolloutObservation, RolloutPhase } from '../observed/state-schema.js';
import { advanceStages, type StageProgress } from './advance.js';
import { clearMember, evaluateMember, isStatus } from './appliance-status.js';
import { memberSet, type Hold, type MemberSet } from './assignments.js';
import type { ReconcileCache } from './cache.js';
import { releaseRef, type ReconcileContext, type ReleaseRef } from './context.js';
import { cohortOrderOf } from './desired-index.js';
import { decideLatch, isStopped, type LatchDecision } from './failure-policy.js';
import { decidePhase } from './phases.js';
import type { Action, RolloutStatus } from './plan.js';
import { rolloutActions } from './rollout-actions.js';
import { rolloutStatus } from './rollout-status.js';
import { causeOf, type Cause } from './stuck-reasons.js';
import { toMs } from './time.js';
import { isWindowOpen } from './window.js';

/** Everything one rollout's pass decided, for the plan and for the steps that follow it. */
export interface RolloutOutcome {
  spec: Rollout;
  /** Its position in planning order (newest first). */
  rank: number;
  release: ReleaseRef;
  observed: RolloutObservation | null;
  /** Eligible appliances in cohort order, as positions. */
  order: Int32Array;
  decision: LatchDecision;
  progress: StageProgress;
  phase: RolloutPhase;
  /** Targeted members once the plan is applied: assigned and not claimed by a newer rollout. */
  set: MemberSet;
  withdrawn: string[];
  /** Stuck members with their causes, by position (so by id). */
  stuck: Cause[];
  /** Failed members as found (before an abort withdraws them): positions and failure times. */
  failed: { index: number; atMs: number }[];
  actions: Action[];
  status: RolloutStatus;
}

/**
 * Plans one rollout, the `rank`-th newest: its members from existing assignments (minus those newer
 * rollouts claimed), the failure latch, withdrawals when aborted, assignments and stage advances as
 * far as allowed at `now`, then its phase, status and actions. Records its members in the member
 * table. Statuses describe the rollout once the plan is applied.
 */
export function planRollout(ctx: ReconcileContext, spec: Rollout, rank: number, cache: ReconcileCache | null): RolloutOutcome {
  const found = ctx.index.releases.get(spec.release);
  // A valid desired state always has the release; without one no agent version can match it.
  const release: ReleaseRef = found ? releaseRef(found) : { name: spec.release, version: '' };
  const observed = ctx.observedRollouts.get(spec.name) ?? null;
  const order = cohortOrderOf(ctx.index, spec, cache);
  const { members, anyAssigned } = existingMembers(ctx, spec, rank, release, observed);
  const anyUnclaimed = members.length > 0 || order.some((i) => ctx.members.by[i] === -1);
  const failed = members.filter((i) => isStatus(ctx.members, i, 'failed')).map((i) => ({ index: i, atMs: ctx.members.finalAtMs[i] as number }));
  const decision = decideLatch(spec, observed, failed.map((f) => f.atMs));
  const aborted = (decision.kind === 'held' || decision.kind === 'tripped') && decision.phase === 'Aborted';
  const withdrawn = aborted ? withdraw(ctx, members) : [];
  const set = memberSet(ctx.members, rank, aborted ? members.filter((i) => ctx.members.by[i] === rank) : members);
  const progress = advanceStages({
    spec,
    stage: observed ? Math.min(Math.max(1, observed.stage), spec.stages.length) : 1,
    stageStartMs: observed ? (toMs(observed.stageStartedAt) ?? ctx.nowMs) : ctx.nowMs,
    active: !isStopped(decision),
    anyUnclaimed,
    set,
    scan: {
      order,
      table: ctx.members,
      seen: ctx.seen,
      rolloutHold: rolloutHold(spec, decision, ctx.nowMs),
      maxConcurrent: spec.maxConcurrent,
      release,
      progressDeadlineMs: spec.progressDeadlineMs,
      nowMs: ctx.nowMs,
    },
  });
  const stuck = set.members.filter((i) => isStatus(ctx.members, i, 'stuck')).sort((a, b) => a - b).map((i) => causeOf(ctx, i, release));
  const phase = decidePhase({
    decision,
    anyMember: order.length > 0 || anyAssigned,
    anyUnclaimed,
    observedPhase: observed?.phase ?? null,
    anyStuck: stuck.length > 0,
    lastStageComplete: progress.stage === spec.stages.length && progress.completedAtMs !== null,
    targeted: set.members.length,
  });
  const outcome = { spec, rank, release, observed, order, decision, progress, phase, set, withdrawn, stuck, failed: failed.sort((a, b) => a.index - b.index) };
  return { ...outcome, actions: rolloutActions(ctx, outcome), status: rolloutStatus(ctx, outcome) };
}

/**
 * The rollout's members from its recorded assignments, each at its earliest time, recorded in the
 * member table. An assignment of another release (the spec changed it) or of an appliance no
 * longer declared is ignored: the first is assigned afresh, the second is reported as unknown.
 */
function existingMembers(
  ctx: ReconcileContext,
  spec: Rollout,
  rank: number,
  release: ReleaseRef,
  observed: RolloutObservation | null,
): { members: number[]; anyAssigned: boolean } {
  // Positions are collected first and their earliest times kept in the pass's scratch array, so a
  // rollout of 100,000 assignments allocates one list rather than a map.
  const { scratch } = ctx;
  const found: number[] = [];
  let anyAssigned = false;
  let lastText = '';
  let lastMs = ctx.nowMs;
  const assignments = observed?.assignments ?? [];
  for (let k = 0; k < assignments.length; k++) {
    const a = assignments[k] as RolloutObservation['assignments'][number];
    if (a.release !== spec.release) continue;
    const i = ctx.index.indexOf.get(a.appliance);
    if (i === undefined) continue;
    anyAssigned = true;
    if (ctx.members.by[i] !== -1) continue;
    // Assignments come in batches made at one time: parse each distinct time once.
    if (a.at !== lastText) {
      lastText = a.at;
      lastMs = toMs(a.at) ?? ctx.nowMs;
    }
    const before = scratch[i] as number;
    if (Number.isNaN(before)) found.push(i);
    if (Number.isNaN(before) || lastMs < before) scratch[i] = lastMs;
  }
  for (let k = 0; k < found.length; k++) {
    const i = found[k] as number;
    evaluateMember(ctx.members, ctx.seen, i, rank, scratch[i] as number, release, spec.progressDeadlineMs, ctx.nowMs);
    scratch[i] = NaN;
  }
  return { members: found, anyAssigned };
}

/** An aborted rollout withdraws its assignment from every member that has not succeeded, releasing it. */
function withdraw(ctx: ReconcileContext, members: readonly number[]): string[] {
  const withdrawn: string[] = [];
  for (let k = 0; k < members.length; k++) {
    const i = members[k] as number;
    if (isStatus(ctx.members, i, 'succeeded')) continue;
    withdrawn.push(ctx.index.ids[i] as string);
    clearMember(ctx.members, i);
  }
  return withdrawn.sort();
}

function rolloutHold(spec: Rollout, decision: LatchDecision, nowMs: number): Hold | null {
  if (decision.kind === 'spec-paused') return 'paused';
  if (decision.kind === 'held' || decision.kind === 'tripped') return 'failures';
  if (spec.window && !isWindowOpen(spec.window, nowMs)) return 'window';
  return null;
}
