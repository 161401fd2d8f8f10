import type { Rollout } from '../desired/types.js';
import type { RolloutObservation, RolloutPhase } from '../observed/state-schema.js';
import { advanceStages, type StageProgress } from './advance.js';
import { releaseRef, type ReconcileContext, type ReleaseRef } from './context.js';
import { cohortOrderOf } from './desired-index.js';
import { budgetScan } from './engine/budget-table.js';
import type { ReconcileCache } from './engine/cache.js';
import { claimScan, eligibleClaims } from './engine/claim-scan.js';
import { existingMembers, keepMembersOfRank } from './engine/existing-members.js';
import { memberSet, membersWith, type MemberSet } from './engine/member-set.js';
import { positionOf } from './engine/positions.js';
import { targetRankOf } from './engine/target-table.js';
import { clearMember, isStatus, type MemberTerms } from './engine/member-table.js';
import { decideLatch, isStopped, type LatchDecision } from './failure-policy.js';
import { rolloutHold } from './holds.js';
import { decidePhase } from './phases.js';
import type { Action, RolloutStatus } from './plan.js';
import { rolloutActions } from './rollout-actions.js';
import { rolloutStatus } from './rollout-status.js';
import { withdrawCascade, type Withdrawal } from './removal.js';
import { causeOf, type Cause } from './stuck-reasons.js';
import { toMs } from './time.js';

/** Everything one rollout's pass decided, for the plan and for the steps that follow it. */
export interface RolloutOutcome {
  spec: Rollout;
  /** Its position in planning order (highest rank first: see rank.ts). */
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
  withdrawn: Withdrawal[];
  /** Eligible appliances it refuses because they run a newer version than its release, by position. */
  newer: number[];
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
  const { memberList: list } = ctx.workspace;
  const terms: MemberTerms = { release, progressDeadlineMs: spec.progressDeadlineMs, nowMs: ctx.nowMs };
  const { count: existing, anyRecorded } = existingMembers(ctx, rank, terms);
  const claims = claimScan(ctx.targets, ctx.seen.version, rank, spec.release, release.version, spec.rollback);
  const eligible = eligibleClaims(claims, ctx.members, order);
  const anyNotClaimedByNewer = existing > 0 || eligible.anyClaimable;
  const failed = membersWith(ctx.members, list, existing, 'failed').map((i) => ({ index: i, atMs: ctx.members.finalAtMs[i] as number }));
  const decision = ctx.abortFirst.get(rank) ?? decideLatch(spec, observed, failed.map((f) => f.atMs));
  const aborted = (decision.kind === 'held' || decision.kind === 'tripped') && decision.phase === 'Aborted';
  const withdrawnAbove = aborted ? withdrawalsAbove(ctx, rank) : 0;
  const withdrawn = aborted ? withdraw(ctx, list, existing, rank) : [];
  // Withdrawals made here (not before planning) may give a target back to a rollout already planned,
  // or cascade into one that withdraws it again (its actions are made already).
  const reachesUp = aborted && (restoresUpward(ctx, withdrawn, rank) || withdrawalsAbove(ctx, rank) > withdrawnAbove);
  if (reachesUp && decision.kind === 'tripped' && !ctx.abortFirst.has(rank)) ctx.replan.set(rank, decision);
  const set = memberSet(ctx.members, rank, list, aborted ? keepMembersOfRank(ctx, list, existing, rank) : existing);
  const progress = advanceStages({
    spec,
    stage: observed ? Math.min(Math.max(1, observed.stage), spec.stages.length) : 1,
    stageStartMs: observed ? (toMs(observed.stageStartedAt) ?? ctx.nowMs) : ctx.nowMs,
    active: !isStopped(decision),
    anyNotClaimedByNewer,
    set,
    scan: {
      order,
      table: ctx.members,
      seen: ctx.seen,
      held: ctx.held,
      rolloutHold: rolloutHold(spec, decision, ctx.nowMs),
      maxConcurrent: spec.maxConcurrent,
      budget: budgetScan(ctx.budgets, spec.name),
      terms,
      claims,
    },
  });
  const stuck = stuckMembers(ctx, set, release);
  const phase = decidePhase({
    decision,
    anyMember: order.length > 0 || anyRecorded,
    anyNotClaimedByNewer,
    observedPhase: observed?.phase ?? null,
    anyStuck: stuck.length > 0,
    lastStageComplete: progress.stage === spec.stages.length && progress.completedAtMs !== null,
    targeted: set.count,
  });
  const newer = eligible.newer;
  const outcome = { spec, rank, release, observed, order, decision, progress, phase, set, withdrawn, stuck, newer, failed: failed.sort((a, b) => a.index - b.index) };
  return { ...outcome, actions: rolloutActions(ctx, outcome), status: rolloutStatus(ctx, outcome) };
}

/**
 * An aborted rollout withdraws its assignment from every member that has not succeeded: each gets
 * back the target it had before (see withdrawCascade).
 */
function withdraw(ctx: ReconcileContext, list: Int32Array, count: number, rank: number): Withdrawal[] {
  for (let k = 0; k < count; k++) {
    const i = list[k] as number;
    if (isStatus(ctx.members, i, 'succeeded')) continue;
    clearMember(ctx.members, i);
    withdrawCascade(ctx, i);
  }
  return (ctx.withdrawals[rank] ?? []).sort((a, b) => (a.appliance < b.appliance ? -1 : 1));
}

// Whether a withdrawal gave a target back to a higher-ranked rollout (one planned before this one):
// the target it restored, or the one the appliance ends with once the cascade withdrew that too
// (a target restored to a held-Aborted rollout below is withdrawn again, possibly to one above).
function restoresUpward(ctx: ReconcileContext, withdrawn: readonly Withdrawal[], rank: number): boolean {
  const above = new Set(ctx.ranked.slice(0, rank).map((r) => r.name));
  return withdrawn.some((w) => {
    if (w.restores !== null && above.has(w.restores.rollout)) return true;
    const now = targetRankOf(ctx.targets, positionOf(ctx.index.ids, w.appliance));
    return now >= 0 && now < rank;
  });
}

// How many withdrawals are recorded for the rollouts planned before the one at `rank`.
function withdrawalsAbove(ctx: ReconcileContext, rank: number): number {
  let n = 0;
  for (let k = 0; k < rank; k++) n += ctx.withdrawals[k]?.length ?? 0;
  return n;
}

// Stuck members by position (so by id), with their causes.
function stuckMembers(ctx: ReconcileContext, set: MemberSet, release: ReleaseRef): Cause[] {
  return membersWith(ctx.members, set.list, set.count, 'stuck').sort((a, b) => a - b).map((i) => causeOf(ctx, i, release));
}
