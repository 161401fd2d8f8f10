import type { DesiredState, Release } from '../desired/types.js';
import type { ApplianceObservation, RolloutObservation, StateDocument } from '../observed/state-schema.js';
import type { MemberTable } from './appliance-status.js';
import type { HeldTable } from './assignments.js';
import type { ReconcileCache } from './cache.js';
import { buildTargets, type TargetTable } from './claims.js';
import type { LatchDecision } from './failure-policy.js';
import { rankRollouts, type RankedRollout } from './rank.js';
import type { Withdrawal } from './removal.js';
import { buildDesiredIndex, type DesiredIndex } from './desired-index.js';
import { buildBudgets, type DisruptionBudgets } from './disruption-budget.js';
import { FRESH_LANE, type FindingLane } from './findings/reuse.js';
import { PositionFinder } from './positions.js';
import { toIso, toMs } from './time.js';
import { normalizeVersion } from './versions.js';
import { newWorkspace, type Workspace } from './workspace.js';

/**
 * What each declared appliance last reported, by position, with its times parsed once per pass.
 * Kept as columns rather than one object per appliance: a pass over 100,000 appliances then holds a
 * few arrays instead of 100,000 objects and their boxed numbers. NaN stands for "none".
 */
export interface SeenTable {
  obs: (ApplianceObservation | undefined)[];
  lastCheckinMs: Float64Array;
  deferUntilMs: Float64Array;
  updateSinceMs: Float64Array;
  /** The agent version, normalized (`1.0.49`); null when absent or not semver. */
  version: (string | null)[];
}

/** An appliance that reports but is not declared: its last report and check-in time. */
export interface Undeclared {
  id: string;
  obs: ApplianceObservation;
  lastCheckinMs: number;
}

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
  /** Filled while planning: rollouts that tripped abort and gave a target back to a rollout planned before them. */
  replan: Map<number, LatchDecision>;
  /** Which rollout targets each declared appliance, and its status there. */
  members: MemberTable;
  /** Which rollout first held each unassigned appliance back, and why. */
  held: HeldTable;
  /** Per appliance, the earliest assignment time among a rollout's rows while its members are found; NaN between uses. */
  earliestAssignedAtMs: Float64Array;
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
  const undeclaredById = new Map<string, Undeclared>();
  const finder = new PositionFinder(index, cache?.hints('appliances', observed.appliances.length) ?? null);
  // Indexed loops here and in the rollout steps: they run once per appliance per pass.
  for (let k = 0; k < observed.appliances.length; k++) {
    const obs = observed.appliances[k] as ApplianceObservation;
    const i = finder.find(k, obs.id);
    const last = toMs(obs.lastCheckinAt) ?? 0;
    if (i < 0) {
      const previous = undeclaredById.get(obs.id);
      if (!previous || prefer(obs, last, previous.obs, previous.lastCheckinMs)) undeclaredById.set(obs.id, { id: obs.id, obs, lastCheckinMs: last });
      continue;
    }
    const previous = seen.obs[i];
    if (previous && !prefer(obs, last, previous, seen.lastCheckinMs[i] as number)) continue;
    seen.obs[i] = obs;
    seen.lastCheckinMs[i] = last;
    seen.deferUntilMs[i] = obs.deferUntil == null ? NaN : (toMs(obs.deferUntil) ?? NaN);
    const since = obs.update?.since;
    seen.updateSinceMs[i] = since == null ? NaN : (toMs(since) ?? NaN);
    seen.version[i] = normalizeVersion(obs.agentVersion);
  }
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
    undeclared: [...undeclaredById.values()].sort((a, b) => compareText(a.id, b.id)),
    observedRollouts,
    ranked,
    targets: (workspace.targets = buildTargets(index, ranked, cache, workspace.targets)),
    withdrawals: [],
    abortFirst: new Map(),
    replan: new Map(),
    members: workspace.members,
    held: workspace.held,
    earliestAssignedAtMs: workspace.earliestAssignedAtMs,
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

// A document listing one appliance twice keeps its latest report; equal times fall back to the
// text, so the choice never depends on the order of the list.
function prefer(candidate: ApplianceObservation, candidateMs: number, current: ApplianceObservation, currentMs: number): boolean {
  if (candidateMs !== currentMs) return candidateMs > currentMs;
  return JSON.stringify(candidate) > JSON.stringify(current);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
