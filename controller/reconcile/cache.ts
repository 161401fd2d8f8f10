import type { DesiredState } from '../desired/types.js';
import { cohortKey, cohortPermutation } from './cohorts.js';
import { buildDesiredIndex, type DesiredIndex } from './desired-index.js';

interface CohortEntry {
  /** The eligible ids (sorted) this order was computed for. */
  eligible: readonly string[];
  /** The cohort order as a permutation of `eligible`. */
  perm: Int32Array;
}

/** Counters that let tests and the benchmark see which path a pass took. */
export interface CacheStats {
  hits: number;
  incremental: number;
  full: number;
}

const MAX_ENTRIES = 512;
// Beyond this share of changed members a full sort is cheaper than binary insertions.
const INCREMENTAL_LIMIT = 0.05;

/**
 * What reconcile keeps between passes so that a pass over 100,000 appliances does not hash every
 * appliance for every rollout:
 * - per desired state object (treated as immutable, as the controller holds the last good revision),
 *   its DesiredIndex: sorted appliances, eligible sets, cohort orders as positions;
 * - across revisions, the cohort order per rollout, keyed by the rollout's name and checked against
 *   the eligible set it was computed for. An unchanged eligible set reuses the order; a few added or
 *   removed appliances are hashed and inserted alone.
 * Both are functions of their inputs only, so a cache makes a pass faster but never different.
 */
export class ReconcileCache {
  private readonly cohorts = new Map<string, CohortEntry>();
  private indexes = new WeakMap<DesiredState, DesiredIndex>();
  readonly stats: CacheStats = { hits: 0, incremental: 0, full: 0 };

  /** The index of a desired state, built on first use and kept while the object lives. */
  desiredIndex(desired: DesiredState): DesiredIndex {
    let index = this.indexes.get(desired);
    if (!index) this.indexes.set(desired, (index = buildDesiredIndex(desired)));
    return index;
  }

  /** The cohort order of `rollout` over `eligible` (ids sorted) as a permutation of it, from the cache when it can. */
  cohortPermutation(rollout: string, eligible: readonly string[]): Int32Array {
    const previous = this.cohorts.get(rollout);
    let perm: Int32Array;
    const diff = previous ? compareSets(previous.eligible, eligible) : null;
    if (previous && diff && diff.changed === 0) {
      this.stats.hits++;
      perm = previous.perm;
    } else if (previous && diff && diff.changed <= INCREMENTAL_LIMIT * Math.max(1, eligible.length)) {
      this.stats.incremental++;
      perm = updatePermutation(rollout, previous, eligible, diff.newIndexOfOld);
    } else {
      this.stats.full++;
      perm = cohortPermutation(rollout, eligible);
    }
    // Re-inserting keeps the map in least-recently-used order for eviction.
    this.cohorts.delete(rollout);
    this.cohorts.set(rollout, { eligible, perm });
    if (this.cohorts.size > MAX_ENTRIES) this.cohorts.delete(this.cohorts.keys().next().value as string);
    return perm;
  }

  /** Forgets everything (the next pass is a cold one). */
  clear(): void {
    this.cohorts.clear();
    this.indexes = new WeakMap();
  }
}

/**
 * How two id-sorted lists differ, by one merge walk: how many ids were added or removed, and where
 * each old id is in the new list (-1 when removed).
 */
function compareSets(before: readonly string[], after: readonly string[]): { changed: number; newIndexOfOld: Int32Array } {
  const newIndexOfOld = new Int32Array(before.length).fill(-1);
  let i = 0;
  let j = 0;
  let changed = 0;
  while (i < before.length || j < after.length) {
    const a = before[i];
    const b = after[j];
    if (a !== undefined && b !== undefined && a === b) newIndexOfOld[i++] = j++;
    else if (b === undefined || (a !== undefined && a < b)) {
      changed++;
      i++;
    } else {
      changed++;
      j++;
    }
  }
  return { changed, newIndexOfOld };
}

function updatePermutation(rollout: string, previous: CohortEntry, eligible: readonly string[], newIndexOfOld: Int32Array): Int32Array {
  const order: number[] = [];
  const kept = new Uint8Array(eligible.length);
  for (const old of previous.perm) {
    const now = newIndexOfOld[old] as number;
    if (now >= 0) {
      order.push(now);
      kept[now] = 1;
    }
  }
  const keys = new Map<number, string>();
  const keyOf = (i: number) => {
    let key = keys.get(i);
    if (key === undefined) keys.set(i, (key = cohortKey(rollout, eligible[i] as string)));
    return key;
  };
  for (let i = 0; i < eligible.length; i++) {
    if (kept[i]) continue;
    const key = keyOf(i);
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keyOf(order[mid] as number) < key) lo = mid + 1;
      else hi = mid;
    }
    order.splice(lo, 0, i);
  }
  return Int32Array.from(order);
}

/** The cache reconcile uses when none is passed: one per process, shared by every caller. */
export const sharedReconcileCache = new ReconcileCache();
