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

/** What one batch of check-ins writes. */
export interface CheckinWrites {
  /** The last check-in of each appliance in the batch (by `at`; on a tie the later entry). */
  latest: ApplianceRow[];
  /**
   * For each row of `latest`, its report as the history keeps it when that check-in is its
   * appliance's only one in the batch: a history row if it differs from the stored row. Null
   * otherwise (its history, if any, is in `others`).
   */
  latestReports: (string | null)[];
  /** The other history candidates (appliances that checked in more than once in the batch), in batch order. */
  others: HistoryCandidate[];
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
 * are compared here, each with the latest before it; the first of each with the stored row, by the
 * store. The usual batch has one check-in per appliance: then the history candidates are the upserted
 * rows themselves and nothing is sent twice.
 */
export function checkinWrites(batch: readonly CheckinRecord[]): CheckinWrites {
  const latest = new Map<string, { row: ApplianceRow; report: string; count: number }>();
  const candidates: HistoryCandidate[] = [];
  for (const record of batch) {
    const row = applianceRowFromCheckin(record);
    const report = historyReport(record.report);
    const before = latest.get(row.id);
    if (!before) latest.set(row.id, { row, report, count: 1 });
    else {
      if (before.row.lastCheckinMs <= row.lastCheckinMs) latest.set(row.id, { row, report, count: before.count + 1 });
      else before.count += 1;
    }
    if (before && sameReport(before.row, row)) continue;
    candidates.push({ row, report, forced: before !== undefined });
  }
  const entries = [...latest.values()];
  return {
    latest: entries.map((e) => e.row),
    latestReports: entries.map((e) => (e.count === 1 ? e.report : null)),
    // Only appliances with several check-ins in the batch: none in the usual batch.
    others: entries.length === batch.length ? [] : candidates.filter((c) => (latest.get(c.row.id)?.count ?? 0) > 1),
  };
}

/** Every history candidate of a batch in the order the stores write them: `others`, then the upserted rows' own. */
export function historyCandidates(writes: CheckinWrites): HistoryCandidate[] {
  const own = writes.latest.flatMap((row, i) => {
    const report = writes.latestReports[i];
    return report === null || report === undefined ? [] : [{ row, report, forced: false }];
  });
  return [...writes.others, ...own];
}
