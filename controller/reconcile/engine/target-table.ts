import type { RolloutObservation } from '../../observed/state-schema.js';
import type { DesiredIndex } from '../desired-index.js';
import type { TargetRef } from '../plan.js';
import type { RankedRollout } from '../rank.js';
import { toMs } from '../time.js';
import type { ReconcileCache } from './cache.js';
import { PositionFinder } from './positions.js';

/**
 * Every recorded assignment of a pass, and each declared appliance's current target: the
 * assignment with the latest `at` (ties: the higher-ranked rollout). Assignments a rollout lost to
 * a claim stay recorded: when the claim is withdrawn, the latest earlier one is the target again.
 * Kept as columns, one row per assignment, chained per appliance; a rollout's rows are contiguous.
 */
export interface TargetTable {
  /** Per row: the rank of its rollout, its time, release, appliance position, whether it still stands. */
  rank: Int32Array;
  atMs: Float64Array;
  release: string[];
  position: Int32Array;
  live: Uint8Array;
  /** Per row: the next row of the same appliance, or -1. */
  next: Int32Array;
  /** Per rank: its rows are `[from[rank], to[rank])`. */
  from: Int32Array;
  to: Int32Array;
  /** Per appliance: its first row, and the row of its current target (-1 for none). */
  head: Int32Array;
  targetRow: Int32Array;
  /** Per appliance: the rank of the rollout planned now if it lost the appliance to a claim. */
  lost: Int32Array;
}

/**
 * Reads every assignment of the ranked rollouts (positions found with the cache's hints), and
 * decides each appliance's current target. Assignments of undeclared appliances are left out.
 * Reuses `previous`'s columns when they are large enough (a cache keeps one table between passes,
 * so that a pass over 100,000 assignments allocates none of them afresh).
 */
export function buildTargets(index: DesiredIndex, ranked: readonly RankedRollout[], cache: ReconcileCache | null, previous: TargetTable | null = null): TargetTable {
  let rows = 0;
  for (const r of ranked) rows += r.observed?.assignments.length ?? 0;
  const n = index.ids.length;
  const t = previous && previous.rank.length >= rows && previous.head.length === n ? previous : emptyTable(Math.ceil(rows * 1.25), n);
  t.from = new Int32Array(ranked.length);
  t.to = new Int32Array(ranked.length);
  t.head.fill(-1);
  t.targetRow.fill(-1);
  t.lost.fill(-1);
  let row = 0;
  for (let rank = 0; rank < ranked.length; rank++) {
    t.from[rank] = row;
    const observed = (ranked[rank] as RankedRollout).observed;
    if (observed) row = readRows(t, index, observed, rank, row, cache);
    t.to[rank] = row;
  }
  return t;
}

function readRows(t: TargetTable, index: DesiredIndex, observed: RolloutObservation, rank: number, row: number, cache: ReconcileCache | null): number {
  const assignments = observed.assignments;
  const finder = new PositionFinder(index, cache?.hints(`assignments/${observed.name}`, assignments.length) ?? null);
  // Assignments come in batches made at one time: parse each distinct time once.
  let lastText = '';
  let lastMs = 0;
  for (let k = 0; k < assignments.length; k++) {
    const a = assignments[k] as RolloutObservation['assignments'][number];
    const i = finder.find(k, a.appliance);
    if (i < 0) continue;
    if (a.at !== lastText) {
      lastText = a.at;
      lastMs = toMs(a.at) ?? 0;
    }
    t.rank[row] = rank;
    t.atMs[row] = lastMs;
    t.release[row] = a.release;
    t.position[row] = i;
    t.live[row] = 1;
    t.next[row] = t.head[i] as number;
    t.head[i] = row;
    const current = t.targetRow[i] as number;
    if (current < 0 || later(t, row, current)) t.targetRow[i] = row;
    row++;
  }
  return row;
}

function emptyTable(rows: number, n: number): TargetTable {
  return {
    rank: new Int32Array(rows),
    atMs: new Float64Array(rows),
    release: new Array<string>(rows),
    position: new Int32Array(rows),
    live: new Uint8Array(rows),
    next: new Int32Array(rows),
    from: new Int32Array(0),
    to: new Int32Array(0),
    head: new Int32Array(n),
    targetRow: new Int32Array(n),
    lost: new Int32Array(n),
  };
}

// Whether row `a` is a later target than row `b`: a later time, or the same time and a higher rank.
function later(t: TargetTable, a: number, b: number): boolean {
  const ta = t.atMs[a] as number;
  const tb = t.atMs[b] as number;
  return ta > tb || (ta === tb && (t.rank[a] as number) < (t.rank[b] as number));
}

/** The rank of the rollout appliance `i`'s current target came from, or -1 when it has none. */
export function targetRankOf(t: TargetTable, i: number): number {
  const row = t.targetRow[i] as number;
  return row < 0 ? -1 : (t.rank[row] as number);
}

/** The current target of appliance `i`, named, or null. */
export function targetOf(t: TargetTable, ranked: readonly RankedRollout[], i: number): TargetRef | null {
  const row = t.targetRow[i] as number;
  return row < 0 ? null : { rollout: (ranked[t.rank[row] as number] as RankedRollout).name, release: t.release[row] as string };
}

/**
 * Withdraws appliance `i`'s current target: its assignment no longer stands, and the latest earlier
 * one (if any) is its target again, with its membership. Returns the target withdrawn.
 */
export function withdrawTarget(t: TargetTable, ranked: readonly RankedRollout[], i: number): TargetRef | null {
  const withdrawn = targetOf(t, ranked, i);
  const row = t.targetRow[i] as number;
  if (row < 0) return null;
  t.live[row] = 0;
  let best = -1;
  for (let r = t.head[i] as number; r >= 0; r = t.next[r] as number) {
    if (t.live[r] && (best < 0 || later(t, r, best))) best = r;
  }
  t.targetRow[i] = best;
  return withdrawn;
}
