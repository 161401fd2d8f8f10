import { clearMember, evaluateMember, isFinalAt, type MemberTable } from './appliance-status.js';
import { claimOf, TAKE, type ClaimRule } from './claims.js';
import type { ReleaseRef, SeenTable } from './context.js';
import { blockingBudget, enterFlight, type BudgetScan } from './disruption-budget.js';

/** Why a member of the current cohort is not assigned yet. */
export type Hold = 'paused' | 'failures' | 'window' | 'maxConcurrent' | 'deferring' | 'budget';

/** Holds by code, as the held table and the counts store them. */
export const HOLDS: readonly Hold[] = ['paused', 'failures', 'window', 'maxConcurrent', 'deferring', 'budget'];
const DEFERRING = HOLDS.indexOf('deferring');
const MAX_CONCURRENT = HOLDS.indexOf('maxConcurrent');
const BUDGET = HOLDS.indexOf('budget');

/**
 * For each declared appliance, by position: the rank of the newest rollout whose current cohort
 * holds it back unassigned (-1 for none) and the code of the hold. Rollouts are planned newest
 * first, so the first to write a position is the newest.
 */
export interface HeldTable {
  /** The rank of the first rollout that held the appliance back, or -1. */
  rankOf: Int32Array;
  /** Why that rollout held it back: an index into HOLDS. */
  reasonCode: Uint8Array;
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

function hold(set: MemberSet, held: HeldTable, i: number, code: number): void {
  set.heldCounts[code] = (set.heldCounts[code] ?? 0) + 1;
  set.heldTotal++;
  if (held.rankOf[i] === -1) {
    held.rankOf[i] = set.rank;
    held.reasonCode[i] = code;
  }
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
  held: HeldTable;
  /** A hold on the whole rollout (paused, latched, window closed), or null. */
  rolloutHold: Hold | null;
  maxConcurrent: number | null;
  /** The disruption budgets this rollout's assignments keep to; null or absent when none exists. */
  budget?: BudgetScan | null;
  release: ReleaseRef;
  /** Which appliances the rollout may take (see claimOf). */
  claims: ClaimRule;
  progressDeadlineMs: number;
  nowMs: number;
}

/**
 * Assigns the members of `order[from, to)` the rollout may take (see claimOf) in cohort order, unless something
 * holds them back: a hold on the whole rollout, their own `deferUntil` in the future (which does not
 * block the members after them), `maxConcurrent` appliances already in flight, or a disruption
 * budget its group has used up (which does not block other groups). Records each assignment in the
 * member table (and in flight for every budget) and each held member with its hold.
 */
export function assignCohort(set: MemberSet, scan: CohortScan): void {
  const { table, held } = scan;
  const rolloutHold = scan.rolloutHold === null ? -1 : HOLDS.indexOf(scan.rolloutHold);
  for (let k = scan.from; k < scan.to; k++) {
    const i = scan.order[k] as number;
    if (table.rankOf[i] !== -1 || claimOf(scan.claims, i) !== TAKE) continue;
    if (rolloutHold >= 0) {
      hold(set, held, i, rolloutHold);
      continue;
    }
    if ((scan.seen.deferUntilMs[i] as number) > scan.nowMs) {
      hold(set, held, i, DEFERRING);
      continue;
    }
    evaluateMember(table, scan.seen, i, set.rank, scan.nowMs, scan.release, scan.progressDeadlineMs, scan.nowMs);
    if (scan.maxConcurrent !== null && !isFinalAt(table, i) && set.inFlight >= scan.maxConcurrent) {
      clearMember(table, i);
      hold(set, held, i, MAX_CONCURRENT);
      continue;
    }
    const budget = scan.budget;
    if (budget && !isFinalAt(table, i)) {
      if (blockingBudget(budget.budgets, budget.groups, i)) {
        clearMember(table, i);
        hold(set, held, i, BUDGET);
        continue;
      }
      enterFlight(budget.budgets, i);
    }
    set.list[set.count++] = i;
    set.assignedNow.push(i);
    track(set, table, i);
  }
}
