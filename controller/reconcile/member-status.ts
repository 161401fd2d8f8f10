import { IN_FLIGHT_PHASES, type UpdatePhase, type UpdateReport } from '../observed/state-schema.js';
import type { ApplianceUpdateStatus } from './plan.js';

/** What one assigned appliance reports, as the member-status rule reads it. */
export interface MemberReport {
  /** Whether it checked in and runs the release's version. */
  runsRelease: boolean;
  /** Its latest update report (of any release), or null. */
  update: Pick<UpdateReport, 'release' | 'phase'> | null;
  /** When that report's phase began (its `since`), or null. */
  updateSinceMs: number | null;
  /** The last `deferUntil` it reported, or null. */
  deferUntilMs: number | null;
}

/** The status of one assigned appliance, and the times that go with it. */
export interface MemberVerdict {
  status: ApplianceUpdateStatus;
  /** When it reached succeeded or failed (never before the assignment); null otherwise. */
  finalAtMs: number | null;
  /** When it is (or became) stuck: the later of assignment and last `deferUntil`, plus progressDeadline; null while deferring or final. */
  deadlineMs: number | null;
}

const inFlight = new Set<UpdatePhase>(IN_FLIGHT_PHASES);

/**
 * An assigned appliance's status, mutually exclusive, the first that applies: `succeeded` (it runs
 * the release's version), `failed` (it reports failure for this release since its assignment),
 * `stuck` (neither, past its deadline, not deferring), `updating` (an in-flight phase for this
 * release) or `pending`. A failure reported at or before the assignment belongs to an earlier one
 * and does not count: so an appliance is never failed the moment it is assigned, and a plan's own
 * assignments cannot trip its latch.
 */
export function memberStatus(report: MemberReport, assignedAtMs: number, release: string, progressDeadlineMs: number, nowMs: number): MemberVerdict {
  const { update, updateSinceMs: since } = report;
  const forThis = update !== null && update.release === release;
  if (report.runsRelease) {
    const reportedAt = forThis && update.phase === 'succeeded' && since !== null ? since : assignedAtMs;
    return { status: 'succeeded', finalAtMs: Math.max(reportedAt, assignedAtMs), deadlineMs: null };
  }
  if (forThis && update.phase === 'failed' && since !== null && since > assignedAtMs) return { status: 'failed', finalAtMs: since, deadlineMs: null };
  const deferUntil = report.deferUntilMs;
  if (deferUntil !== null && deferUntil > nowMs) return { status: forThis && inFlight.has(update.phase) ? 'updating' : 'pending', finalAtMs: null, deadlineMs: null };
  const deadlineMs = Math.max(assignedAtMs, deferUntil ?? assignedAtMs) + progressDeadlineMs;
  if (nowMs > deadlineMs) return { status: 'stuck', finalAtMs: null, deadlineMs };
  return { status: forThis && inFlight.has(update.phase) ? 'updating' : 'pending', finalAtMs: null, deadlineMs };
}

/** Succeeded or failed: a member that no longer holds its stage (given failures within the limit). */
export function isFinal(status: ApplianceUpdateStatus): boolean {
  return status === 'succeeded' || status === 'failed';
}
