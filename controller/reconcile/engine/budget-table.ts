import type { DisruptionBudgetSpec } from '../../desired/schema/disruption-budget.js';
import type { Rollout } from '../../desired/types.js';
import type { RolloutObservation } from '../../observed/state-schema.js';
import type { DesiredIndex } from '../desired-index.js';
import { exceedsBudget, groupName } from '../disruption-budget.js';
import { toMs } from '../time.js';
import { normalizeVersion } from '../versions.js';
import { positionOf } from './positions.js';
import type { SeenTable } from './seen-table.js';

/** One budget over the declared appliances: the group of each, and how many of each group are in flight. */
export interface BudgetGroups {
  /** `fleet` or `rollout NAME`, for messages. */
  owner: string;
  spec: DisruptionBudgetSpec;
  /** The group of each declared appliance, by position. */
  groupOf: Int32Array;
  /** `site=riverside` (labels joined by `,`) per group. */
  names: string[];
  /** In flight per group: assigned and neither succeeded nor failed, across all rollouts. */
  inFlight: Int32Array;
}

/**
 * The pass's disruption budgets: the Fleet's, each Rollout's, and which declared appliances are in
 * flight across all rollouts. Assignments made by the pass enter flight as they are made, so every
 * later assignment, in any rollout, counts them.
 */
export interface DisruptionBudgets {
  fleet: BudgetGroups | null;
  byRollout: Map<string, BudgetGroups>;
  /** 1 for a declared appliance in flight, by position. */
  inFlight: Uint8Array;
  /** Memoized hold texts, by budget owner and group. */
  texts: Map<string, string>;
  /** The first few in flight per group, by budget owner: found in one scan when a text first needs them. */
  who: Map<string, string[][]>;
}

/**
 * The budgets of a pass, or null when neither the Fleet nor any Rollout declares one (then a pass
 * does no budget work at all). An appliance is in flight when its latest recorded assignment, in
 * any rollout, is for a release whose version it does not report and it reported no failure for
 * that release since the assignment; an assignment for a release no longer declared counts as in
 * flight, since nothing can tell that it finished.
 */
export function buildBudgets(
  fleetBudget: DisruptionBudgetSpec | null | undefined,
  rollouts: readonly Rollout[],
  index: DesiredIndex,
  seen: SeenTable,
  observed: Iterable<RolloutObservation>,
): DisruptionBudgets | null {
  const withBudget = rollouts.filter((r) => r.disruptionBudget);
  if (!fleetBudget && !withBudget.length) return null;
  const inFlight = inFlightAtStart(index, seen, observed);
  const byRollout = new Map<string, BudgetGroups>();
  for (const r of withBudget) byRollout.set(r.name, groupsOf(`rollout ${r.name}`, r.disruptionBudget as DisruptionBudgetSpec, index, inFlight));
  return { fleet: fleetBudget ? groupsOf('fleet', fleetBudget, index, inFlight) : null, byRollout, inFlight, texts: new Map(), who: new Map() };
}

/** The budgets an assignment of `rollout` keeps to: the Fleet's and the rollout's own. */
export function budgetsOf(budgets: DisruptionBudgets | null, rollout: string): BudgetGroups[] {
  if (!budgets) return [];
  const own = budgets.byRollout.get(rollout);
  return [budgets.fleet, own].filter((b): b is BudgetGroups => b != null);
}

/**
 * The first of `groups` that assigning appliance `i` would leave with more than its maxUnavailable
 * in flight, or null when all have room. An appliance already in flight (claimed from an older
 * rollout) adds nothing to its group, so it is held only while the group is over its budget.
 */
export function blockingBudget(budgets: DisruptionBudgets, groups: readonly BudgetGroups[], i: number): BudgetGroups | null {
  const adds = budgets.inFlight[i] ? 0 : 1;
  for (const b of groups) if (exceedsBudget(b.inFlight[b.groupOf[i] as number] as number, adds, b.spec.maxUnavailable)) return b;
  return null;
}

/** Records appliance `i` as in flight in every budget (once). */
export function enterFlight(budgets: DisruptionBudgets, i: number): void {
  if (budgets.inFlight[i]) return;
  budgets.inFlight[i] = 1;
  const all = budgets.fleet ? [budgets.fleet, ...budgets.byRollout.values()] : budgets.byRollout.values();
  for (const b of all) b.inFlight[b.groupOf[i] as number]! += 1;
}

/** Up to `listed` in-flight appliances of every group of `b`, found in one pass over the fleet and kept for the pass. */
export function inFlightOf(budgets: DisruptionBudgets, b: BudgetGroups, ids: readonly string[], listed: number): string[][] {
  let who = budgets.who.get(b.owner);
  if (!who) {
    const lists: string[][] = b.names.map(() => []);
    for (let j = 0; j < ids.length; j++) {
      const list = budgets.inFlight[j] ? lists[b.groupOf[j] as number] : undefined;
      if (list && list.length < listed) list.push(ids[j] as string);
    }
    who = lists;
    budgets.who.set(b.owner, who);
  }
  return who;
}

function groupsOf(owner: string, spec: DisruptionBudgetSpec, index: DesiredIndex, inFlight: Uint8Array): BudgetGroups {
  const groupOf = new Int32Array(index.ids.length);
  const ids = new Map<string, number>();
  const names: string[] = [];
  for (let i = 0; i < index.ids.length; i++) {
    const name = groupName(spec.groupBy, index.labels[i] ?? {});
    let g = ids.get(name);
    if (g === undefined) {
      g = names.length;
      ids.set(name, g);
      names.push(name);
    }
    groupOf[i] = g;
  }
  const counts = new Int32Array(names.length);
  for (let i = 0; i < inFlight.length; i++) if (inFlight[i]) counts[groupOf[i] as number]! += 1;
  return { owner, spec, groupOf, names, inFlight: counts };
}

// Which declared appliances are in flight before the pass: judged on each one's latest assignment.
function inFlightAtStart(index: DesiredIndex, seen: SeenTable, observed: Iterable<RolloutObservation>): Uint8Array {
  const n = index.ids.length;
  const latestMs = new Float64Array(n).fill(-Infinity);
  const latest: ({ release: string; atMs: number } | undefined)[] = new Array<{ release: string; atMs: number } | undefined>(n);
  for (const r of observed) {
    for (const a of r.assignments) {
      const i = positionOf(index.ids, a.appliance);
      const at = toMs(a.at) ?? -Infinity;
      if (i < 0 || at < (latestMs[i] as number)) continue;
      latestMs[i] = at;
      latest[i] = { release: a.release, atMs: at };
    }
  }
  const inFlight = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const a = latest[i];
    if (a && !assignmentFinished(index, seen, i, a)) inFlight[i] = 1;
  }
  return inFlight;
}

// Whether appliance `i` finished assignment `a`: it runs its release, or failed it since.
function assignmentFinished(index: DesiredIndex, seen: SeenTable, i: number, a: { release: string; atMs: number }): boolean {
  const release = index.releases.get(a.release);
  if (!release) return false;
  const version = normalizeVersion(release.version) ?? release.version;
  if (seen.obs[i] && seen.version[i] === version) return true;
  const update = seen.obs[i]?.update;
  return update?.release === a.release && update.phase === 'failed' && (seen.updateSinceMs[i] as number) > a.atMs;
}

/** What a rollout's cohort scan checks: the pass's budgets and those that apply to this rollout. */
export interface BudgetScan {
  budgets: DisruptionBudgets;
  groups: BudgetGroups[];
}

/** The budget scan of `rollout`, or null when the pass has no budget at all. */
export function budgetScan(budgets: DisruptionBudgets | null, rollout: string): BudgetScan | null {
  return budgets ? { budgets, groups: budgetsOf(budgets, rollout) } : null;
}
