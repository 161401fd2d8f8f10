import { IN_FLIGHT_PHASES, type UpdatePhase } from '../observed/state-schema.js';
import type { ApplianceUpdateStatus } from './plan.js';
import type { ReleaseRef, Seen } from './context.js';

/** An assigned member of a rollout, as observed at `now`. */
export interface MemberEval {
  id: string;
  /** The appliance's position among the declared ones. */
  index: number;
  assignedAtMs: number;
  /** Assigned by this plan (at `now`). */
  isNew: boolean;
  status: ApplianceUpdateStatus;
  /** When it reached succeeded or failed (its report's `since`, never before the assignment); else null. */
  finalAtMs: number | null;
  /** When it is (or became) stuck: the later of assignment and last `deferUntil`, plus progressDeadline; null while deferring. */
  deadlineMs: number | null;
}

const inFlight = new Set<UpdatePhase>(IN_FLIGHT_PHASES);

/**
 * The status of one assigned appliance in a rollout, mutually exclusive: `succeeded` (its agent
 * reports the release's version), `failed` (it reports failure for this release since its
 * assignment), `stuck` (neither, past its deadline, not deferring), `updating` (an in-flight phase
 * for this release) or `pending`. A failure reported before the assignment belongs to an earlier
 * one and does not count.
 */
export function evaluateMember(
  id: string,
  index: number,
  assignedAtMs: number,
  isNew: boolean,
  release: ReleaseRef,
  seen: Seen | undefined,
  progressDeadlineMs: number,
  nowMs: number,
): MemberEval {
  const update = seen?.obs.update ?? null;
  const forThis = update !== null && update.release === release.name;
  const since = seen?.updateSinceMs ?? null;
  if (seen && seen.version !== null && seen.version === release.version) {
    const reportedAt = forThis && update.phase === 'succeeded' && since !== null ? since : assignedAtMs;
    return { id, index, assignedAtMs, isNew, status: 'succeeded', finalAtMs: Math.max(reportedAt, assignedAtMs), deadlineMs: null };
  }
  if (forThis && update.phase === 'failed' && since !== null && since >= assignedAtMs) {
    return { id, index, assignedAtMs, isNew, status: 'failed', finalAtMs: since, deadlineMs: null };
  }
  const deferUntil = seen?.deferUntilMs ?? null;
  const deferring = deferUntil !== null && deferUntil > nowMs;
  const deadlineMs = deferring ? null : Math.max(assignedAtMs, deferUntil ?? assignedAtMs) + progressDeadlineMs;
  let status: ApplianceUpdateStatus = 'pending';
  if (deadlineMs !== null && nowMs > deadlineMs) status = 'stuck';
  else if (forThis && inFlight.has(update.phase)) status = 'updating';
  return { id, index, assignedAtMs, isNew, status, finalAtMs: null, deadlineMs };
}

/** Succeeded or failed: the member no longer holds its stage (given failures within the limit). */
export function isFinal(member: MemberEval): boolean {
  return member.status === 'succeeded' || member.status === 'failed';
}
