import type { DesiredState } from '../../desired/types.js';
import { cohortKey, cohortPermutationAt } from '../cohorts.js';
import { buildDesiredIndex, type DesiredIndex } from '../desired-index.js';
import { FindingLanes } from '../findings/reuse.js';
import { FlatTexts } from './flat-texts.js';
import type { ApplianceStatus } from '../plan.js';
import { newWorkspace, releaseWorkspace, resetWorkspace, type Workspace } from './workspace.js';

/**
 * A sorted list of ids as the cache keeps it: the declared ids of a revision and the positions of
 * the eligible ones among them, so that an eligible set costs 4 bytes per appliance and no copy of
 * the ids.
 */
interface IdList {
  ids: readonly string[];
  positions: Int32Array;
}

interface CohortEntry {
  /** The eligible ids this order was computed for. */
  eligible: IdList;
  /** The cohort order as a permutation of the eligible positions. */
  perm: Int32Array;
}

const idAt = (list: IdList, k: number) => list.ids[list.positions[k] as number] as string;

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
 * - the columns a pass works in (see Workspace), and per observed list the positions its entries
 *   had in the previous pass (see PositionFinder);
 * - the previous plan's appliance entries and per-appliance findings, handed out again when a pass
 *   makes equal ones, so that successive plans share what did not change.
 * All are functions of their inputs or checked before use, so a cache makes a pass faster and
 * lighter but never different.
 */
export class ReconcileCache {
  private readonly cohorts = new Map<string, CohortEntry>();
  private indexes = new WeakMap<DesiredState, DesiredIndex>();
  private workspace: Workspace | null = null;
  private readonly positionHints = new Map<string, Int32Array>();
  private statuses: { index: DesiredIndex; byPosition: (ApplianceStatus | undefined)[] } | null = null;
  /** This pass's kept finding messages, flat (see FlatTexts). */
  readonly texts = new FlatTexts();
  /** The previous pass's per-appliance findings, to be shared when unchanged (see FindingLanes). */
  readonly findings = new FindingLanes(this.texts);
  readonly stats: CacheStats = { hits: 0, incremental: 0, full: 0 };

  /** The index of a desired state, built on first use and kept while the object lives. */
  desiredIndex(desired: DesiredState): DesiredIndex {
    let index = this.indexes.get(desired);
    if (!index) this.indexes.set(desired, (index = buildDesiredIndex(desired)));
    return index;
  }

  /**
   * The cohort order of `rollout` over the appliances at `positions` (ascending) among `ids` (sorted),
   * as a permutation of `positions`, from the cache when it can.
   */
  cohortPermutationAt(rollout: string, ids: readonly string[], positions: Int32Array): Int32Array {
    const eligible: IdList = { ids, positions };
    const previous = this.cohorts.get(rollout);
    let perm: Int32Array;
    const diff = previous ? compareSets(previous.eligible, eligible) : null;
    if (previous && diff && diff.changed === 0) {
      this.stats.hits++;
      perm = previous.perm;
    } else if (previous && diff && diff.changed <= INCREMENTAL_LIMIT * Math.max(1, positions.length)) {
      this.stats.incremental++;
      perm = updatePermutation(rollout, previous, eligible, diff.newIndexOfOld);
    } else {
      this.stats.full++;
      perm = cohortPermutationAt(rollout, ids, positions);
    }
    // Re-inserting keeps the map in least-recently-used order for eviction.
    this.cohorts.delete(rollout);
    this.cohorts.set(rollout, { eligible, perm });
    if (this.cohorts.size > MAX_ENTRIES) this.cohorts.delete(this.cohorts.keys().next().value as string);
    return perm;
  }

  /** The workspace for a pass over `size` appliances, emptied; a fresh one when the kept one is in use or of another size. */
  takeWorkspace(size: number): Workspace {
    const kept = this.workspace;
    if (!kept || kept.inUse || kept.size !== size) {
      const ws = newWorkspace(size);
      ws.inUse = true;
      if (!kept?.inUse) this.workspace = ws;
      return ws;
    }
    resetWorkspace(kept);
    kept.inUse = true;
    return kept;
  }

  /**
   * Ends a pass: takes its workspace back, clearing the references to the observed state, and
   * keeps the findings it made for the next pass to reuse.
   */
  endPass(ws: Workspace): void {
    releaseWorkspace(ws);
    this.findings.rotate();
    this.texts.clear();
  }

  /**
   * The positions the entries of list `key` had in the previous pass, to be updated in place by
   * this one (copied into an array of the new length when the list grew or shrank).
   */
  hints(key: string, length: number): Int32Array {
    let hints = this.positionHints.get(key);
    if (!hints || hints.length !== length) {
      const previous = hints;
      hints = new Int32Array(length).fill(-1);
      if (previous) hints.set(previous.subarray(0, Math.min(length, previous.length)));
      this.positionHints.delete(key);
      this.positionHints.set(key, hints);
      if (this.positionHints.size > MAX_ENTRIES) this.positionHints.delete(this.positionHints.keys().next().value as string);
    }
    return hints;
  }

  /**
   * The appliance entries of the previous plan over the same desired index, by position, to be
   * reused when unchanged and replaced in place otherwise (empty for a new index).
   */
  previousStatuses(index: DesiredIndex): (ApplianceStatus | undefined)[] {
    if (this.statuses?.index !== index) this.statuses = { index, byPosition: new Array<ApplianceStatus | undefined>(index.ids.length) };
    return this.statuses.byPosition;
  }
}

/**
 * How two id-sorted lists differ, by one merge walk: how many ids were added or removed, and where
 * each old id is in the new list (-1 when removed).
 */
function compareSets(before: IdList, after: IdList): { changed: number; newIndexOfOld: Int32Array } {
  const m = before.positions.length;
  const n = after.positions.length;
  const newIndexOfOld = new Int32Array(m).fill(-1);
  let i = 0;
  let j = 0;
  let changed = 0;
  while (i < m || j < n) {
    const a = i < m ? idAt(before, i) : undefined;
    const b = j < n ? idAt(after, j) : undefined;
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

function updatePermutation(rollout: string, previous: CohortEntry, eligible: IdList, newIndexOfOld: Int32Array): Int32Array {
  const order: number[] = [];
  const size = eligible.positions.length;
  const kept = new Uint8Array(size);
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
    if (key === undefined) keys.set(i, (key = cohortKey(rollout, idAt(eligible, i))));
    return key;
  };
  for (let i = 0; i < size; i++) {
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
