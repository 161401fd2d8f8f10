import { blockingBudget, enterFlight, type BudgetScan } from './budget-table.js';
import { HOLDS, holdReason, type Hold, type HoldInput } from '../holds.js';
import { isFinal } from '../member-status.js';
import { claimAt, type ClaimScan } from './claim-scan.js';
import { addMember, holdBack, type HeldTable, type MemberSet } from './member-set.js';
import { recordMember, timeOrNull, verdictAt, type MemberTable, type MemberTerms } from './member-table.js';
import type { SeenTable } from './seen-table.js';

/** What one rollout's cohort is assigned from: the pass's columns and the rollout's settings. */
export interface CohortScan {
  /** Eligible appliances in cohort order, as positions; a stage scans `order[from, to)`. */
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
  /** The release and deadline members are judged against, at `now` (an assignment is made at `now`). */
  terms: MemberTerms;
  /** Which appliances the rollout may take (see claimOf). */
  claims: ClaimScan;
}

/**
 * Assigns the members of `order[from, to)` the rollout may take (see claimOf) in cohort order,
 * unless holdReason holds them back. Records each assignment in the member table (and in flight for
 * every budget), adds it to the set, and counts each held member with its hold.
 */
export function assignCohort(set: MemberSet, scan: CohortScan): void {
  const { table, held, seen, terms, budget } = scan;
  const nowMs = terms.nowMs;
  // One input filled for each appliance in turn.
  const given: HoldInput = { rolloutHold: scan.rolloutHold, deferUntilMs: null, nowMs, final: false, inFlight: 0, maxConcurrent: scan.maxConcurrent, budgetBlocked: false };
  for (let k = scan.from; k < scan.to; k++) {
    const i = scan.order[k] as number;
    if (table.rankOf[i] !== -1 || claimAt(scan.claims, i) !== 'take') continue;
    const verdict = verdictAt(seen, i, nowMs, terms);
    given.deferUntilMs = timeOrNull(seen.deferUntilMs, i);
    given.final = isFinal(verdict.status);
    given.inFlight = set.inFlight;
    given.budgetBlocked = budget != null && blockingBudget(budget.budgets, budget.groups, i) !== null;
    const hold = holdReason(given);
    if (hold !== null) {
      holdBack(set, held, i, HOLDS.indexOf(hold));
      continue;
    }
    recordMember(table, i, set.rank, nowMs, verdict);
    if (budget && !given.final) enterFlight(budget.budgets, i);
    addMember(set, table, i);
    set.assignedNow.push(i);
  }
}
