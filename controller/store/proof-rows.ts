import type { CalendarProofState, ProofStats, ProofStatus } from './store.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The age buckets `proofStats` counts pending proofs in: [0, 1h), [1h, 1d), [1d, 7d), [7d, ∞). */
export const PENDING_AGE_BUCKETS: readonly { label: string; minAgeMs: number; maxAgeMs: number | null }[] = [
  { label: '<1h', minAgeMs: 0, maxAgeMs: HOUR },
  { label: '1h-1d', minAgeMs: HOUR, maxAgeMs: DAY },
  { label: '1d-7d', minAgeMs: DAY, maxAgeMs: 7 * DAY },
  { label: '>=7d', minAgeMs: 7 * DAY, maxAgeMs: null },
];

/** Whether any calendar last answered "Not found": such rows are indexed so counting them stays cheap. */
export function hasNotFound(calendars: Record<string, CalendarProofState>): boolean {
  return Object.values(calendars).some((c) => c.answer === 'notFound');
}

/**
 * Each age bucket as a creation-time range at `now`: a pending proof is in the bucket when
 * `createdAfterMs < created_at <= createdUpToMs` (null: no lower bound).
 */
export function pendingAgeRanges(now: Date): { label: string; minAgeMs: number; maxAgeMs: number | null; createdUpToMs: number; createdAfterMs: number | null }[] {
  return PENDING_AGE_BUCKETS.map((b) => ({
    ...b,
    createdUpToMs: now.getTime() - b.minAgeMs,
    createdAfterMs: b.maxAgeMs === null ? null : now.getTime() - b.maxAgeMs,
  }));
}

/** Per-status counts with every status present (zero when none). */
export function statusCounts(rows: Iterable<{ status: string; count: number }>): Record<ProofStatus, number> {
  const counts: Record<ProofStatus, number> = { pending: 0, anchored: 0, expired: 0, failed: 0 };
  for (const row of rows) if (row.status in counts) counts[row.status as ProofStatus] += row.count;
  return counts;
}

/** Per-calendar answer counts from `(calendar, answer, count)` rows, calendars sorted. */
export function calendarAnswers(rows: Iterable<{ calendar: string; answer: string; count: number }>): ProofStats['calendars'] {
  const byCalendar = new Map<string, Partial<Record<CalendarProofState['answer'], number>>>();
  for (const row of rows) {
    const answers = byCalendar.get(row.calendar) ?? {};
    const answer = row.answer as CalendarProofState['answer'];
    answers[answer] = (answers[answer] ?? 0) + row.count;
    byCalendar.set(row.calendar, answers);
  }
  return [...byCalendar.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([calendar, answers]) => ({ calendar, answers }));
}

/**
 * Proof counts by status as every reader sees them, from the stored counters (rows per stored
 * status, see the `ots_proof_counts` table) and the number of pending proofs not behind the expiry
 * cutoff: the pending rows behind it count as expired until they are rewritten.
 */
export function countsFromCounters(counters: Iterable<{ status: string; count: number }>, activePending: number): Record<ProofStatus, number> {
  const stored = statusCounts(counters);
  return {
    pending: activePending,
    anchored: stored.anchored,
    expired: stored.expired + stored.pending - activePending,
    failed: stored.failed,
  };
}

/** The settled totals of the State document's proof counts, from the counters and the pending proofs by minute. */
export function settledTotals(
  counters: Iterable<{ status: string; count: number }>,
  pendingByMinute: readonly { count: number }[],
): { anchored: number; expired: number; failed: number } {
  const activePending = pendingByMinute.reduce((sum, p) => sum + p.count, 0);
  const { anchored, expired, failed } = countsFromCounters(counters, activePending);
  return { anchored, expired, failed };
}
