import { recordMember, verdictAt } from './engine/member-table.js';
import { runsRelease } from './engine/seen-table.js';
import { targetRankOf, withdrawTarget } from './engine/target-table.js';
import type { ReconcileContext, ReleaseRef } from './context.js';
import type { Action, Finding, RolloutStatus, StatusCounts, TargetRef } from './plan.js';
import type { RankedRollout } from './rank.js';
import { rolloutConditions } from './conditions.js';

/** One WithdrawRelease: the appliance, the release withdrawn and the target it gets back. */
export interface Withdrawal {
  appliance: string;
  release: string;
  restores: TargetRef | null;
}

/** A rollout no longer in the repository, once the plan is applied. */
export interface RemovedOutcome {
  spec: { name: string; release: string; window: null };
  rank: number;
  release: ReleaseRef;
  stuck: [];
  /** Members keeping their target from it (all succeeded), sorted by position. */
  members: number[];
  actions: Action[];
  /** Its status while any target comes from it, else null (it leaves `rollouts[]`). */
  status: RolloutStatus | null;
}

/** Whether appliance `i` reports running `version`: it succeeded with a release of that version. */
export function runsVersion(ctx: ReconcileContext, i: number, version: string): boolean {
  return runsRelease(ctx.seen, i, version);
}

/**
 * Withdraws appliance `i`'s current target (recording a Withdrawal for the rollout it came from),
 * and again while the target it gets back would be withdrawn first too (see withdrawsFrom), so
 * that one plan settles them whatever the order the rollouts are visited in.
 */
export function withdrawCascade(ctx: ReconcileContext, i: number): void {
  for (;;) {
    const rank = targetRankOf(ctx.targets, i);
    if (rank < 0) return;
    const withdrawn = withdrawTarget(ctx.targets, ctx.ranked, i) as TargetRef;
    const after = targetRankOf(ctx.targets, i);
    const restores = after < 0 ? null : { rollout: (ctx.ranked[after] as RankedRollout).name, release: ctx.targets.release[ctx.targets.targetRow[i] as number] as string };
    (ctx.withdrawals[rank] ??= []).push({ appliance: ctx.index.ids[i] as string, release: withdrawn.release, restores });
    if (after < 0 || !withdrawsFrom(ctx, after, ctx.targets.targetRow[i] as number)) return;
  }
}

/**
 * Whether the rollout at `rank` withdraws the target of assignment `row` before anything is
 * assigned: it was removed, or it is held Aborted (or aborts in this plan, see abortFirst), and the
 * appliance does not run its release. A declared rollout withdraws only what it delivers: an
 * assignment of another release is replaced, not withdrawn.
 */
function withdrawsFrom(ctx: ReconcileContext, rank: number, row: number): boolean {
  const r = ctx.ranked[rank] as RankedRollout;
  if (r.spec && !heldAborted(r) && !ctx.abortFirst.has(rank)) return false;
  if (r.spec && ctx.targets.release[row] !== r.spec.release) return false;
  return !runsVersion(ctx, ctx.targets.position[row] as number, r.version);
}

/**
 * Withdrawals that come before any assignment: a removed rollout behaves as aborted, and so does a
 * declared one held Aborted by its failure latch: every appliance whose current target came from
 * it and that does not run its release is withdrawn (its previous target restored); those that run
 * it keep their target. Run before any declared rollout is planned, so a withdrawn appliance may be
 * claimed in the same plan, and a target restored to any rollout is known before it is planned.
 */
export function withdrawFirst(ctx: ReconcileContext): void {
  const t = ctx.targets;
  for (let rank = 0; rank < ctx.ranked.length; rank++) {
    const r = ctx.ranked[rank] as RankedRollout;
    if (r.spec && !heldAborted(r) && !ctx.abortFirst.has(rank)) continue;
    for (let row = t.from[rank] as number; row < (t.to[rank] as number); row++) {
      const i = t.position[row] as number;
      if (t.targetRow[i] === row && withdrawsFrom(ctx, rank, row)) withdrawCascade(ctx, i);
    }
  }
}

// Held Aborted by its latch at the same spec (see decideLatch): it withdraws whatever has not succeeded.
function heldAborted(r: RankedRollout): boolean {
  const latch = r.observed?.latch;
  return !!r.spec && !r.spec.paused && !!latch && latch.phase === 'Aborted' && latch.specHash === r.spec.specHash;
}

/**
 * The outcome of the removed rollout at `rank`, once every declared rollout is planned: its
 * remaining members (current targets from it that no rollout claimed in this plan) recorded in the
 * member table as succeeded, its withdrawals, SetPhase Removed when the phase changes, and a
 * status while any target still comes from it.
 */
export function removedOutcome(ctx: ReconcileContext, rank: number): RemovedOutcome {
  const r = ctx.ranked[rank] as RankedRollout;
  const t = ctx.targets;
  const release: ReleaseRef = { name: r.release, version: r.version };
  // A removed rollout has no deadline: its members are only ever kept or withdrawn.
  const terms = { release, progressDeadlineMs: 0, nowMs: ctx.nowMs };
  const members: number[] = [];
  for (let row = t.from[rank] as number; row < (t.to[rank] as number); row++) {
    const i = t.position[row] as number;
    if (t.targetRow[i] !== row || ctx.members.rankOf[i] !== -1) continue;
    const at = t.atMs[row] as number;
    recordMember(ctx.members, i, rank, at, verdictAt(ctx.seen, i, at, terms));
    members.push(i);
  }
  members.sort((a, b) => a - b);
  const actions: Action[] = [];
  if (r.observed?.phase !== 'Removed') actions.push({ type: 'SetPhase', rollout: r.name, phase: 'Removed', from: r.observed?.phase ?? null });
  const withdrawals = [...(ctx.withdrawals[rank] ?? [])].sort((a, b) => (a.appliance < b.appliance ? -1 : 1));
  for (const w of withdrawals) actions.push({ type: 'WithdrawRelease', appliance: w.appliance, rollout: r.name, release: w.release, restores: w.restores });
  const status = members.length ? removedStatus(ctx, r, members.length) : null;
  return { spec: { name: r.name, release: r.release, window: null }, rank, release, stuck: [], members, actions, status };
}

function removedStatus(ctx: ReconcileContext, r: RankedRollout, kept: number): RolloutStatus {
  const counts: StatusCounts = { targeted: kept, pending: 0, updating: 0, succeeded: kept, failed: 0, stuck: 0 };
  const stage = r.observed?.stage ?? 1;
  const message = `Removed from the repository: ${kept} ${kept === 1 ? 'appliance keeps' : 'appliances keep'} ${r.release}, which ${kept === 1 ? 'it runs' : 'they run'}; the rest were withdrawn`;
  return {
    name: r.name,
    release: r.release,
    version: r.observed?.version ?? r.version,
    rollback: false,
    phase: 'Removed',
    stage,
    stages: stage,
    stageStartedAt: r.observed?.stageStartedAt ?? ctx.nowIso,
    counts,
    conditions: rolloutConditions({
      phase: 'Removed',
      decision: { kind: 'active', release: false },
      pendingReason: 'Removed',
      message,
      observed: r.observed?.conditions,
      nowIso: ctx.nowIso,
    }),
    message,
    revision: ctx.revision,
  };
}

/** TargetReleaseMissing: appliances a removed rollout still targets with a Release no longer declared. */
export function targetReleaseMissing(ctx: ReconcileContext, o: RemovedOutcome): Finding | null {
  if (o.members.length === 0 || ctx.index.releases.has(o.release.name)) return null;
  const ids = o.members.map((i) => ctx.index.ids[i] as string);
  const named = ids.slice(0, 10).join(', ') + (ids.length > 10 ? `, and ${ids.length - 10} more` : '');
  return {
    type: 'TargetReleaseMissing',
    severity: 'warning',
    rollout: o.spec.name,
    message: `${ids.length} ${ids.length === 1 ? 'appliance targets' : 'appliances target'} release ${o.release.name}, which is no longer declared (${named}): their check-in answer has no target until a rollout assigns them another release`,
  };
}
