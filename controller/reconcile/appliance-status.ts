import { IN_FLIGHT_PHASES, type UpdatePhase } from '../observed/state-schema.js';
import type { ApplianceUpdateStatus } from './plan.js';
import type { ReleaseRef, SeenTable } from './context.js';

/** Statuses by code, as the member table stores them. */
export const STATUSES: readonly ApplianceUpdateStatus[] = ['pending', 'updating', 'succeeded', 'failed', 'stuck'];
const PENDING = 0;
const UPDATING = 1;
const SUCCEEDED = 2;
const FAILED = 3;
const STUCK = 4;

/**
 * Each declared appliance's membership, by position: `rankOf[i]` is the rank (position in planning order) of the
 * rollout whose assignment targets it, or -1; the other columns are its status there. Rollouts are
 * planned newest first, so a position another rollout already holds was claimed by a newer one.
 */
export interface MemberTable {
  /** See above: the member's rollout by rank, or -1. */
  rankOf: Int32Array;
  status: Uint8Array;
  assignedAtMs: Float64Array;
  /** When it reached succeeded or failed (its report's `since`, never before the assignment); NaN otherwise. */
  finalAtMs: Float64Array;
  /** When it is (or became) stuck: the later of assignment and last `deferUntil`, plus progressDeadline; NaN while deferring. */
  deadlineMs: Float64Array;
}

const inFlight = new Set<UpdatePhase>(IN_FLIGHT_PHASES);

/**
 * Records appliance `i` as a member of rollout `rank`, assigned at `assignedAtMs`, with its status,
 * mutually exclusive: `succeeded` (its agent reports the release's version), `failed` (it reports
 * failure for this release since its assignment), `stuck` (neither, past its deadline, not
 * deferring), `updating` (an in-flight phase for this release) or `pending`. A failure reported
 * at or before the assignment belongs to an earlier one and does not count: so an appliance is
 * never failed the moment it is assigned, and a plan's own assignments cannot trip its latch.
 */
export function evaluateMember(
  members: MemberTable,
  seen: SeenTable,
  i: number,
  rank: number,
  assignedAtMs: number,
  release: ReleaseRef,
  progressDeadlineMs: number,
  nowMs: number,
): void {
  members.rankOf[i] = rank;
  members.assignedAtMs[i] = assignedAtMs;
  members.finalAtMs[i] = NaN;
  members.deadlineMs[i] = NaN;
  const obs = seen.obs[i];
  const update = obs?.update ?? null;
  const forThis = update !== null && update.release === release.name;
  const since = seen.updateSinceMs[i] as number;
  if (obs && runsRelease(seen, i, release.version)) {
    const reportedAt = forThis && update.phase === 'succeeded' && !Number.isNaN(since) ? since : assignedAtMs;
    members.status[i] = SUCCEEDED;
    members.finalAtMs[i] = Math.max(reportedAt, assignedAtMs);
    return;
  }
  if (forThis && update.phase === 'failed' && since > assignedAtMs) {
    members.status[i] = FAILED;
    members.finalAtMs[i] = since;
    return;
  }
  const deferUntil = seen.deferUntilMs[i] as number;
  const deferring = deferUntil > nowMs;
  if (!deferring) members.deadlineMs[i] = Math.max(assignedAtMs, Number.isNaN(deferUntil) ? assignedAtMs : deferUntil) + progressDeadlineMs;
  const deadline = members.deadlineMs[i] as number;
  if (nowMs > deadline) members.status[i] = STUCK;
  else members.status[i] = forThis && inFlight.has(update.phase) ? UPDATING : PENDING;
}

/**
 * Whether appliance `i` reports running `version` (normalized when semver): the rule the agent
 * applies too (protocol/versions.ts sameVersion) — semver compared normalized, other text exactly.
 */
export function runsRelease(seen: SeenTable, i: number, version: string): boolean {
  const running = seen.version[i];
  if (running != null) return running === version;
  return version !== '' && seen.obs[i]?.agentVersion?.trim() === version.trim();
}

/** Forgets appliance `i`'s membership (an aborted rollout withdrew it). */
export function clearMember(members: MemberTable, i: number): void {
  members.rankOf[i] = -1;
  members.status[i] = PENDING;
  members.assignedAtMs[i] = NaN;
  members.finalAtMs[i] = NaN;
  members.deadlineMs[i] = NaN;
}

export function statusAt(members: MemberTable, i: number): ApplianceUpdateStatus {
  return STATUSES[members.status[i] as number] as ApplianceUpdateStatus;
}

/** Succeeded or failed: the member no longer holds its stage (given failures within the limit). */
export function isFinalAt(members: MemberTable, i: number): boolean {
  const s = members.status[i];
  return s === SUCCEEDED || s === FAILED;
}

const CODE: Record<ApplianceUpdateStatus, number> = { pending: PENDING, updating: UPDATING, succeeded: SUCCEEDED, failed: FAILED, stuck: STUCK };

export function isStatus(members: MemberTable, i: number, status: ApplianceUpdateStatus): boolean {
  return members.status[i] === CODE[status];
}

/** A time column's value, NaN read as null. */
export function timeOrNull(column: Float64Array, i: number): number | null {
  const v = column[i] as number;
  return Number.isNaN(v) ? null : v;
}
