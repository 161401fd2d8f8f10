import { HOLDS, type Hold } from '../holds.js';
import type { ApplianceUpdateStatus } from '../plan.js';
import { isFinalAt, isStatus, type MemberTable } from './member-table.js';

/**
 * For each declared appliance, by position: the rank of the highest-ranked rollout whose current
 * cohort holds it back unassigned (-1 for none) and the code of that hold. Rollouts are planned
 * highest rank first, so the first to write a position is the one that counts.
 */
export interface HeldTable {
  /** The rank of the first rollout that held the appliance back, or -1. */
  heldByRank: Int32Array;
  /** Why that rollout held it back: an index into HOLDS. */
  holdCode: Uint8Array;
}

/** The targeted members of one rollout while its plan is built, with running totals. */
export interface MemberSet {
  /** The rollout's position in planning order: what it writes into the member table. */
  rank: number;
  /**
   * Positions of its members in `list[0, count)` (their statuses are in the member table). The
   * list is the pass's shared buffer, valid only while this rollout is planned.
   */
  list: Int32Array;
  count: number;
  /** Assigned and neither succeeded nor failed (stuck included): what maxConcurrent caps. */
  inFlight: number;
  /** The latest final report among members, or null when none is final. */
  latestFinalMs: number | null;
  /** Positions assigned by this plan, in cohort order. */
  assignedNow: number[];
  /** How many unassigned, unclaimed members of the cohort so far each hold keeps back, by code. */
  heldCounts: number[];
  heldTotal: number;
}

/** A member set from the members already recorded in the table, in `list[0, count)`. */
export function memberSet(table: MemberTable, rank: number, list: Int32Array, count: number): MemberSet {
  const set: MemberSet = { rank, list, count, inFlight: 0, latestFinalMs: null, assignedNow: [], heldCounts: HOLDS.map(() => 0), heldTotal: 0 };
  for (let k = 0; k < count; k++) track(set, table, list[k] as number);
  return set;
}

/** How many members each hold keeps back, for messages. */
export function holdCounts(set: MemberSet): Map<Hold, number> {
  const counts = new Map<Hold, number>();
  set.heldCounts.forEach((n, code) => {
    if (n > 0) counts.set(HOLDS[code] as Hold, n);
  });
  return counts;
}

/** Counts appliance `i` as held back by `code`, and records the hold unless a higher-ranked rollout did. */
export function holdBack(set: MemberSet, held: HeldTable, i: number, code: number): void {
  set.heldCounts[code] = (set.heldCounts[code] ?? 0) + 1;
  set.heldTotal++;
  if (held.heldByRank[i] === -1) {
    held.heldByRank[i] = set.rank;
    held.holdCode[i] = code;
  }
}

/** Adds recorded member `i` to the set's list and totals (in flight, latest final report). */
export function addMember(set: MemberSet, table: MemberTable, i: number): void {
  set.list[set.count++] = i;
  track(set, table, i);
}

function track(set: MemberSet, table: MemberTable, i: number): void {
  if (!isFinalAt(table, i)) set.inFlight++;
  else {
    const at = table.finalAtMs[i] as number;
    if (!Number.isNaN(at) && (set.latestFinalMs === null || at > set.latestFinalMs)) set.latestFinalMs = at;
  }
}

/** The members in `list[0, count)` with `status`, in list order. */
export function membersWith(table: MemberTable, list: Int32Array, count: number, status: ApplianceUpdateStatus): number[] {
  const found: number[] = [];
  for (let k = 0; k < count; k++) {
    const i = list[k] as number;
    if (isStatus(table, i, status)) found.push(i);
  }
  return found;
}
