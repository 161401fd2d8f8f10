import type { Rollout } from '../desired/types.js';
import type { RolloutObservation, RolloutPhase } from '../observed/state-schema.js';
import { advanceStages, type StageProgress } from './advance.js';
import { clearMember, evaluateMember, isStatus } from './appliance-status.js';
import { memberSet, type Hold, type MemberSet } from './assignments.js';
import { PositionFinder } from './positions.js';
import type { ReconcileCache } from './cache.js';
import { releaseRef, type ReconcileContext, type ReleaseRef } from './context.js';
import { cohortOrderOf } from './desired-index.js';
import { decideLatch, isStopped, type LatchDecision } from './failure-policy.js';
import { budgetScan } from './disruption-budget.js';
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
  /**
   * Targeted members once the plan is applied: assigned and not claimed by a newer rollout (their
   * list is valid only while the rollout is planned; `set.count` stays).
   */
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
  const { list } = ctx.workspace;
  const { count: existing, anyAssigned } = existingMembers(ctx, spec, rank, release, observed);
  const anyUnclaimed = existing > 0 || anyUnassigned(ctx, order);
  const failed = failedMembers(ctx, list, existing);
  const decision = decideLatch(spec, observed, failed.map((f) => f.atMs));
  const aborted = (decision.kind === 'held' || decision.kind === 'tripped') && decision.phase === 'Aborted';
  const withdrawn = aborted ? withdraw(ctx, list, existing) : [];
  const set = memberSet(ctx.members, rank, list, aborted ? keepRank(ctx, list, existing, rank) : existing);
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
      held: ctx.held,
      rolloutHold: rolloutHold(spec, decision, ctx.nowMs),
      maxConcurrent: spec.maxConcurrent,
      budget: budgetScan(ctx.budgets, spec.name),
      release,
      progressDeadlineMs: spec.progressDeadlineMs,
      nowMs: ctx.nowMs,
    },
  });
  const stuck = stuckMembers(ctx, set, release);
  const phase = decidePhase({
    decision,
    anyMember: order.length > 0 || anyAssigned,
    anyUnclaimed,
    observedPhase: observed?.phase ?? null,
    anyStuck: stuck.length > 0,
    lastStageComplete: progress.stage === spec.stages.length && progress.completedAtMs !== null,
    targeted: set.count,
  });
  const outcome = { spec, rank, release, observed, order, decision, progress, phase, set, withdrawn, stuck, failed: failed.sort((a, b) => a.index - b.index) };
  return { ...outcome, actions: rolloutActions(ctx, outcome), status: rolloutStatus(ctx, outcome) };
}

/**
 * The rollout's members from its recorded assignments, each at its earliest time, recorded in the
 * member table and written to the pass's member list; returns how many. An assignment of another
 * release (the spec changed it) or of an appliance no longer declared is ignored: the first is
 * assigned afresh, the second is reported as unknown.
 */
function existingMembers(
  ctx: ReconcileContext,
  spec: Rollout,
  rank: number,
  release: ReleaseRef,
  observed: RolloutObservation | null,
): { count: number; anyAssigned: boolean } {
  // Earliest times are kept in the pass's scratch column, so a rollout of 100,000 assignments
  // allocates nothing per assignment.
  const { scratch } = ctx;
  const { list } = ctx.workspace;
  let count = 0;
  let anyAssigned = false;
  let lastText = '';
  let lastMs = ctx.nowMs;
  const assignments = observed?.assignments ?? [];
  const finder = new PositionFinder(ctx.index, ctx.cache?.hints(`assignments/${spec.name}`, assignments.length) ?? null);
  for (let k = 0; k < assignments.length; k++) {
    const a = assignments[k] as RolloutObservation['assignments'][number];
    if (a.release !== spec.release) continue;
    const i = finder.find(k, a.appliance);
    if (i < 0) continue;
    anyAssigned = true;
    if (ctx.members.by[i] !== -1) continue;
    // Assignments come in batches made at one time: parse each distinct time once.
    if (a.at !== lastText) {
      lastText = a.at;
      lastMs = toMs(a.at) ?? ctx.nowMs;
    }
    const before = scratch[i] as number;
    if (Number.isNaN(before)) list[count++] = i;
    if (Number.isNaN(before) || lastMs < before) scratch[i] = lastMs;
  }
  for (let k = 0; k < count; k++) {
    const i = list[k] as number;
    evaluateMember(ctx.members, ctx.seen, i, rank, scratch[i] as number, release, spec.progressDeadlineMs, ctx.nowMs);
    scratch[i] = NaN;
  }
  return { count, anyAssigned };
}

// Whether some eligible appliance is not yet a member of a newer rollout.
function anyUnassigned(ctx: ReconcileContext, order: Int32Array): boolean {
  const { by } = ctx.members;
  for (let k = 0; k < order.length; k++) if (by[order[k] as number] === -1) return true;
  return false;
}

function failedMembers(ctx: ReconcileContext, list: Int32Array, count: number): { index: number; atMs: number }[] {
  const failed: { index: number; atMs: number }[] = [];
  for (let k = 0; k < count; k++) {
    const i = list[k] as number;
    if (isStatus(ctx.members, i, 'failed')) failed.push({ index: i, atMs: ctx.members.finalAtMs[i] as number });
  }
  return failed;
}

/** An aborted rollout withdraws its assignment from every member that has not succeeded, releasing it. */
function withdraw(ctx: ReconcileContext, list: Int32Array, count: number): string[] {
  const withdrawn: string[] = [];
  for (let k = 0; k < count; k++) {
    const i = list[k] as number;
    if (isStatus(ctx.members, i, 'succeeded')) continue;
    withdrawn.push(ctx.index.ids[i] as string);
    clearMember(ctx.members, i);
  }
  return withdrawn.sort();
}

// Compacts the member list to the members still held by this rollout; returns how many.
function keepRank(ctx: ReconcileContext, list: Int32Array, count: number, rank: number): number {
  let kept = 0;
  for (let k = 0; k < count; k++) {
    const i = list[k] as number;
    if (ctx.members.by[i] === rank) list[kept++] = i;
  }
  return kept;
}

// Stuck members by position (so by id), with their causes.
function stuckMembers(ctx: ReconcileContext, set: MemberSet, release: ReleaseRef): Cause[] {
  const positions: number[] = [];
  for (let k = 0; k < set.count; k++) {
    const i = set.list[k] as number;
    if (isStatus(ctx.members, i, 'stuck')) positions.push(i);
  }
  return positions.sort((a, b) => a - b).map((i) => causeOf(ctx, i, release));
}

function rolloutHold(spec: Rollout, decision: LatchDecision, nowMs: number): Hold | null {
  if (decision.kind === 'spec-paused') return 'paused';
  if (decision.kind === 'held' || decision.kind === 'tripped') return 'failures';
  if (spec.window && !isWindowOpen(spec.window, nowMs)) return 'window';
  return null;
}
