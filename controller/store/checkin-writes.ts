import { applianceRowFromCheckin, historyReport, type ApplianceRow } from './observed-document.js';
import type { CheckinRecord } from './store.js';

/**
 * A check-in that may become a history row. `forced`: it differs from its appliance's check-in before
 * it in the same batch, so it is written. Otherwise it is its appliance's first check-in of the batch
 * and the store writes it only when it differs from the appliance's stored row (compared in the
 * statement or transaction that writes the batch, so before the batch's own upserts).
 */
export interface HistoryCandidate {
  row: ApplianceRow;
  /** The report as the history keeps it (see historyReport). */
  report: string;
  forced: boolean;
}

/** What one batch of check-ins writes: each appliance's latest row, and the candidate history rows. */
export interface CheckinWrites {
  /** The last check-in of each appliance in the batch (by `at`; on a tie the later entry). */
  latest: ApplianceRow[];
  history: HistoryCandidate[];
}

/** Whether two rows report the same thing (everything but the check-in time). */
export function sameReport(a: ApplianceRow, b: ApplianceRow): boolean {
  return (
    a.agentVersion === b.agentVersion &&
    a.imageVersion === b.imageVersion &&
    a.update === b.update &&
    a.deferUntil === b.deferUntil &&
    a.retention === b.retention
  );
}

/**
 * The rows a batch writes. The check-in history keeps a row only when an appliance's report changed
 * (its first check-in included): an appliance reporting the same thing every minute adds nothing to
 * it, and its last check-in time is on its appliance row. Check-ins of one appliance within a batch
 * are compared here, in batch order; the first of each with the stored row, by the store.
 */
export function checkinWrites(batch: readonly CheckinRecord[]): CheckinWrites {
  const previous = new Map<string, ApplianceRow>();
  const history: HistoryCandidate[] = [];
  for (const record of batch) {
    const row = applianceRowFromCheckin(record);
    const before = previous.get(row.id);
    if (!before || before.lastCheckinMs <= row.lastCheckinMs) previous.set(row.id, row);
    if (before && sameReport(before, row)) continue;
    history.push({ row, report: historyReport(record.report), forced: before !== undefined });
  }
  return { latest: [...previous.values()], history };
}
