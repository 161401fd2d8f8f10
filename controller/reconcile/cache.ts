import type { DesiredState } from '../desired/types.js';
import { cohortKey, computeCohortOrder } from './cohorts.js';
import { buildDesiredIndex, type DesiredIndex } from './desired-index.js';

interface CohortEntry {
  /** The eligible ids (sorted) this order was computed for. */
  eligible: readonly string[];
  order: readonly string[];
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

  /** The eligible ids (sorted by id) in cohort order for `rollout`, from the cache when it can. */
  cohortOrder(rollout: string, eligible: readonly string[]): readonly string[] {
    const previous = this.cohorts.get(rollout);
    let order: readonly string[];
    if (previous && sameIds(previous.eligible, eligible)) {
      this.stats.hits++;
      order = previous.order;
    } else if (previous && changedShare(previous.eligible, eligible) <= INCREMENTAL_LIMIT) {
      this.stats.incremental++;
      order = updateOrder(rollout, previous, eligible);
    } else {
      this.stats.full++;
      order = computeCohortOrder(rollout, eligible);
    }
    // Re-inserting keeps the map in least-recently-used order for eviction.
    this.cohorts.delete(rollout);
    this.cohorts.set(rollout, { eligible, order });
    if (this.cohorts.size > MAX_ENTRIES) this.cohorts.delete(this.cohorts.keys().next().value as string);
    return order;
  }

  /** Forgets everything (the next pass is a cold one). */
  clear(): void {
    this.cohorts.clear();
    this.indexes = new WeakMap();
  }
}

function sameIds(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The share of ids added or removed between two id-sorted lists, by a merge walk. */
function changedShare(before: readonly string[], after: readonly string[]): number {
  let i = 0;
  let j = 0;
  let changed = 0;
  while (i < before.length || j < after.length) {
    const a = before[i];
    const b = after[j];
    if (a !== undefined && b !== undefined && a === b) {
      i++;
      j++;
    } else if (b === undefined || (a !== undefined && a < b)) {
      changed++;
      i++;
    } else {
      changed++;
      j++;
    }
  }
  return changed / Math.max(1, after.length, before.length);
}

function updateOrder(rollout: string, previous: CohortEntry, eligible: readonly string[]): string[] {
  const now = new Set(eligible);
  const was = new Set(previous.eligible);
  const order = previous.order.filter((id) => now.has(id));
  const keys = new Map<string, string>();
  const keyOf = (id: string) => {
    let key = keys.get(id);
    if (key === undefined) keys.set(id, (key = cohortKey(rollout, id)));
    return key;
  };
  for (const id of eligible) {
    if (was.has(id)) continue;
    const key = keyOf(id);
    let lo = 0;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keyOf(order[mid] as string) < key) lo = mid + 1;
      else hi = mid;
    }
    order.splice(lo, 0, id);
  }
  return order;
}

/** The cache reconcile uses when none is passed: one per process, shared by every caller. */
export const sharedReconcileCache = new ReconcileCache();
