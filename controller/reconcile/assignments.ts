import { clearMember, evaluateMember, isFinalAt, type MemberTable } from './appliance-status.js';
import type { ReleaseRef, SeenTable } from './context.js';

/** Why a member of the current cohort is not assigned yet. */
export type Hold = 'paused' | 'failures' | 'window' | 'maxConcurrent' | 'deferring';

/** The targeted members of one rollout while its plan is built, with running totals. */
export interface MemberSet {
  /** The rollout's position in planning order: what it writes into the member table. */
  rank: number;
  /** Positions of its members (their statuses are in the member table). */
  members: number[];
  /** Assigned and neither succeeded nor failed (stuck included): what maxConcurrent caps. */
  inFlight: number;
  /** The latest final report among members, or null when none is final. */
  latestFinalMs: number | null;
  /** Positions assigned by this plan, in cohort order. */
  assignedNow: number[];
  /** Unassigned, unclaimed members of the cohort so far (by position), and what holds each back. */
  held: Map<number, Hold>;
}

/** A member set from the members already recorded in the table. */
export function memberSet(table: MemberTable, rank: number, members: number[]): MemberSet {
  const set: MemberSet = { rank, members, inFlight: 0, latestFinalMs: null, assignedNow: [], held: new Map() };
  for (let k = 0; k < members.length; k++) track(set, table, members[k] as number);
  return set;
}

function track(set: MemberSet, table: MemberTable, i: number): void {
  if (!isFinalAt(table, i)) set.inFlight++;
  else {
    const at = table.finalAtMs[i] as number;
    if (!Number.isNaN(at) && (set.latestFinalMs === null || at > set.latestFinalMs)) set.latestFinalMs = at;
  }
}

export interface CohortScan {
  order: Int32Array;
  from: number;
  to: number;
  table: MemberTable;
  seen: SeenTable;
  /** A hold on the whole rollout (paused, latched, window closed), or null. */
  rolloutHold: Hold | null;
  maxConcurrent: number | null;
  release: ReleaseRef;
  progressDeadlineMs: number;
  nowMs: number;
}

/**
 * Assigns the unassigned, unclaimed members of `order[from, to)` in cohort order, unless something
 * holds them back: a hold on the whole rollout, their own `deferUntil` in the future (which does not
 * block the members after them), or `maxConcurrent` appliances already in flight. Records each
 * assignment in the member table and each held member with its hold.
 */
export function assignCohort(set: MemberSet, scan: CohortScan): void {
  const { table } = scan;
  for (let k = scan.from; k < scan.to; k++) {
    const i = scan.order[k] as number;
    if (table.by[i] !== -1) continue;
    if (scan.rolloutHold) {
      set.held.set(i, scan.rolloutHold);
      continue;
    }
    if ((scan.seen.deferUntilMs[i] as number) > scan.nowMs) {
      set.held.set(i, 'deferring');
      continue;
    }
    evaluateMember(table, scan.seen, i, set.rank, scan.nowMs, scan.release, scan.progressDeadlineMs, scan.nowMs);
    if (scan.maxConcurrent !== null && !isFinalAt(table, i) && set.inFlight >= scan.maxConcurrent) {
      clearMember(table, i);
      set.held.set(i, 'maxConcurrent');
      continue;
    }
    set.members.push(i);
    set.assignedNow.push(i);
    track(set, table, i);
  }
}
