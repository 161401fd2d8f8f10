/**
 * What one upgrade attempt changes in a proof row, and how a run of them is summed up. Pure: the
 * caller fetched the calendars' answers and passes the time.
 */
import type { CalendarProofState, ProofChange, ProofRow, ProofStatus } from '../../store/store.js';
import type { UpgradeResult } from '../calendar-client.js';
import { answerChanges, calendarStatesAfter } from './calendar-states.js';

/** One proof the run looked at, when something about it changed. */
export interface ProofUpgradeChange {
  bundleId: string;
  from: ProofStatus;
  to: ProofStatus;
  /** Calendars whose last answer changed. */
  answers: { calendar: string; from: CalendarProofState['answer'] | null; to: CalendarProofState['answer'] }[];
  /** Why the stored proof could not be read (it is left as it is). */
  unreadable?: string;
}

/**
 * The row change for an upgrade answered at `now`: `checkedAt` always; the calendars' answers;
 * the merged proof bytes when they changed; `anchored` with `upgradedAt` once the proof holds a
 * Bitcoin attestation (an expired proof too: expiry is local policy, not a verdict). Not anchored,
 * the status stays what it was. An unreadable stored proof only gets `checkedAt`, so it goes to
 * the back of the queue instead of being asked about every run.
 */
export function upgradeChange(row: ProofRow, result: UpgradeResult, now: Date): { change: ProofChange; summary: ProofUpgradeChange | null } {
  if (!result.ok) {
    const unreadable = `${result.error.reason} at byte ${result.error.offset}`;
    return { change: { checkedAt: now }, summary: { bundleId: row.bundleId, from: row.status, to: row.status, answers: [], unreadable } };
  }
  const calendars = calendarStatesAfter(row.calendars, result.perCalendar, now);
  const change: ProofChange = { checkedAt: now, calendars };
  if (result.changed) change.proof = result.proofBytes;
  const to: ProofStatus = result.status === 'anchored' ? 'anchored' : row.status;
  if (to !== row.status) {
    change.status = to;
    change.upgradedAt = now;
  }
  const answers = answerChanges(row.calendars, calendars);
  const summary = to !== row.status || answers.length > 0 ? { bundleId: row.bundleId, from: row.status, to, answers } : null;
  return { change, summary };
}

/** A run of the upgrade job: what it asked and what changed. */
export interface UpgradeReport {
  at: string;
  /** Why nothing was done (no OtsPolicy), when so. */
  skipped?: string;
  /** The calendars that may be contacted (the OtsPolicy's). */
  calendars: string[];
  includeExpired: boolean;
  /** Proofs looked at. */
  checked: number;
  /** Status after the run of the proofs looked at. */
  statuses: Partial<Record<ProofStatus, number>>;
  /** Per calendar, how many proofs got each answer in this run (not-contacted calendars under `error`). */
  answers: Record<string, Partial<Record<CalendarProofState['answer'], number>>>;
  /** Proofs whose status or calendar answers changed, in the order they were looked at. */
  changes: ProofUpgradeChange[];
}

/** A report with nothing checked yet. */
export function emptyReport(now: Date, calendars: string[], includeExpired: boolean, skipped?: string): UpgradeReport {
  return { at: now.toISOString(), ...(skipped ? { skipped } : {}), calendars, includeExpired, checked: 0, statuses: {}, answers: {}, changes: [] };
}

/** Adds one proof's attempt to the report (mutates it: the report is the run's accumulator). */
export function addToReport(report: UpgradeReport, status: ProofStatus, change: ProofChange, summary: ProofUpgradeChange | null): void {
  report.checked += 1;
  report.statuses[status] = (report.statuses[status] ?? 0) + 1;
  for (const [calendar, state] of Object.entries(change.calendars ?? {})) {
    if (state.at !== change.checkedAt?.toISOString()) continue;
    const answers = (report.answers[calendar] ??= {});
    answers[state.answer] = (answers[state.answer] ?? 0) + 1;
  }
  if (summary) report.changes.push(summary);
}
