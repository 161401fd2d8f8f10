import type { DesiredState, Release } from '../desired/types.js';
import type { RolloutObservation, StateDocument } from '../observed/state-schema.js';
import type { HeldTable } from './engine/member-set.js';
import type { ReconcileCache } from './engine/cache.js';
import type { MemberTable } from './engine/member-table.js';
import { readObservations, type SeenTable, type Undeclared } from './engine/seen-table.js';
import { buildTargets, type TargetTable } from './engine/target-table.js';
import type { LatchDecision } from './failure-policy.js';
import { rankRollouts, type RankedRollout } from './rank.js';
import type { Withdrawal } from './removal.js';
import { buildDesiredIndex, type DesiredIndex } from './desired-index.js';
import { buildBudgets, type DisruptionBudgets } from './engine/budget-table.js';
import { FRESH_LANE, type FindingLane } from './findings/reuse.js';
import { toIso } from './time.js';
import { normalizeVersion } from './versions.js';
import { newWorkspace, type Workspace } from './engine/workspace.js';

/** A release as reconcile compares it. */
export interface ReleaseRef {
  name: string;
  /** Normalized semver, or the text as written when it is not semver. */
  version: string;
}

/** The inputs of one pass, sorted and indexed so that no step depends on input order. */
export interface ReconcileContext {
  nowMs: number;
  nowIso: string;
  desired: DesiredState;
  revision: string;
  offlineAfterMs: number;
  index: DesiredIndex;
  /** Where the pass's columns live (reused between passes when a cache is given). */
  workspace: Workspace;
  seen: SeenTable;
  /** Appliances that report but are not declared, sorted by id. */
  undeclared: Undeclared[];
  observedRollouts: Map<string, RolloutObservation>;
  /** Every rollout, declared or removed, highest rank first: a rollout's rank is its position here. */
  ranked: RankedRollout[];
  /** Every recorded assignment and each appliance's current target. */
  targets: TargetTable;
  /** By rank: the withdrawals this plan makes. */
  withdrawals: Withdrawal[][];
  /** By rank: rollouts that abort in this plan and withdraw before any rollout is planned, with their latch decision. */
  abortFirst: Map<number, LatchDecision>;
  /**
   * Filled while planning: rollouts that tripped abort and whose withdrawals reached a rollout planned
   * before them (a target given back to it, or withdrawn from it too).
   */
  replan: Map<number, LatchDecision>;
  /** Which rollout targets each declared appliance, and its status there. */
  members: MemberTable;
  /** Which rollout first held each unassigned appliance back, and why. */
  held: HeldTable;
  cache: ReconcileCache | null;
  /** The Fleet's and Rollouts' disruption budgets with what is in flight; null when none is declared. */
  budgets: DisruptionBudgets | null;
}

/**
 * Builds the context of a pass: indexes both states (the desired one through the cache) and parses
 * every observed time once. With a cache the pass works in the cache's workspace, which it must
 * hand back with `endPass` when it is done.
 */
export function buildContext(desired: DesiredState, observed: StateDocument, now: Date, cache: ReconcileCache | null = null): ReconcileContext {
  const nowMs = now.getTime();
  const index = cache ? cache.desiredIndex(desired) : buildDesiredIndex(desired);
  const workspace = cache ? cache.takeWorkspace(index.ids.length) : newWorkspace(index.ids.length);
  const { seen } = workspace;
  const undeclared = readObservations(seen, index, observed.appliances, cache?.hints('appliances', observed.appliances.length) ?? null);
  const observedRollouts = new Map<string, RolloutObservation>();
  for (const r of [...observed.rollouts].sort((a, b) => compareText(a.name, b.name) || compareText(JSON.stringify(a), JSON.stringify(b)))) {
    if (!observedRollouts.has(r.name)) observedRollouts.set(r.name, r);
  }
  const ranked = rankRollouts(index.rolloutsNewestFirst, index.releases, observedRollouts);
  return {
    nowMs,
    nowIso: toIso(nowMs),
    desired,
    revision: desired.revision,
    offlineAfterMs: desired.fleet.offlineAfterMs,
    index,
    workspace,
    seen,
    undeclared,
    observedRollouts,
    ranked,
    targets: (workspace.targets = buildTargets(index, ranked, cache, workspace.targets)),
    withdrawals: [],
    abortFirst: new Map(),
    replan: new Map(),
    members: workspace.members,
    held: workspace.held,
    cache,
    budgets: buildBudgets(desired.fleet.disruptionBudget, desired.rollouts, index, seen, observedRollouts.values()),
  };
}

/** Ends a pass: hands the workspace back to the cache, holding nothing of the observed state. */
export function endPass(ctx: ReconcileContext): void {
  if (ctx.cache) ctx.cache.endPass(ctx.workspace);
}

/** The lane of per-appliance findings named `key`: shared with the previous pass through the cache, if any. */
export function findingLane(ctx: ReconcileContext, key: string): FindingLane {
  return ctx.cache ? ctx.cache.findings.lane(key) : FRESH_LANE;
}

/** When a declared appliance became offline (last check-in + offlineAfter), or null while online or never seen. */
export function offlineSince(ctx: ReconcileContext, i: number): number | null {
  const last = ctx.seen.lastCheckinMs[i] as number;
  if (Number.isNaN(last)) return null;
  const at = last + ctx.offlineAfterMs;
  return ctx.nowMs > at ? at : null;
}

/** Whether a declared appliance asks not to be updated before a time still to come. */
export function isDeferring(ctx: ReconcileContext, i: number): boolean {
  const until = ctx.seen.deferUntilMs[i] as number;
  return until > ctx.nowMs;
}

/** The release a rollout delivers, as reconcile compares it. */
export function releaseRef(release: Release): ReleaseRef {
  return { name: release.name, version: normalizeVersion(release.version) ?? release.version };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
