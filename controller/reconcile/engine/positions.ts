import type { DesiredIndex } from '../desired-index.js';

/**
 * The position of `id` among the declared ids (sorted), or -1 when it is not declared: a binary
 * search, which needs no memory beside the list (a Map of 100,000 ids costs about 10 MB).
 */
export function positionOf(ids: readonly string[], id: string): number {
  let lo = 0;
  let hi = ids.length;
  // The first position whose id sorts after `id`; the one before it holds `id` if anything does.
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((ids[mid] as string) > id) hi = mid;
    else lo = mid + 1;
  }
  return lo > 0 && ids[lo - 1] === id ? lo - 1 : -1;
}

/**
 * Finds the positions of the ids of one list (the observed appliances, a rollout's assignments)
 * among the declared appliances, writing each into `hints` as it goes.
 *
 * Looking an id up costs a binary search of 17 string comparisons over 100,000 ids, and a pass
 * makes two per appliance. Lists come back from the store in a stable order, so the position the
 * same entry had in the previous pass, or the one after the previous entry's (lists sorted by id),
 * is nearly always right; either is confirmed by comparing the id with the declared one before it
 * is used, and the search runs only when neither matches. Hints make a pass faster, never different.
 */
export class PositionFinder {
  private last = -1;

  constructor(
    private readonly index: DesiredIndex,
    /** Positions from the previous pass, updated in place; null without a cache. */
    private readonly hints: Int32Array | null,
  ) {}

  /** The position of entry `k`, whose id is `id`, or -1 when that id is not declared. */
  find(k: number, id: string): number {
    const { ids } = this.index;
    const hints = this.hints;
    let i = hints ? (hints[k] as number) : -1;
    if (i < 0 || ids[i] !== id) {
      i = this.last + 1;
      if (i >= ids.length || ids[i] !== id) i = positionOf(ids, id);
    }
    if (hints) hints[k] = i;
    if (i >= 0) this.last = i;
    return i;
  }
}
