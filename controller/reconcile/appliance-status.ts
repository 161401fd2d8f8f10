import type { ApplianceUpdateStatus } from './plan.js';
import type { ReleaseRef, SeenTable } from './context.js';
import { memberStatus, type MemberReport } from './member-status.js';

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
 * planned highest rank first, so a position another rollout already holds was claimed by a higher-ranked one.
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

// One report object filled for each member in turn: a pass reads 100,000 of them, and the rule keeps none.
const reused: MemberReport = { runsRelease: false, update: null, updateSinceMs: null, deferUntilMs: null };

/**
 * Records appliance `i` as a member of rollout `rank`, assigned at `assignedAtMs`, with the status
 * and times memberStatus gives from what it reported (empty times are NaN in the table).
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
  const obs = seen.obs[i];
  const since = seen.updateSinceMs[i] as number;
  const deferUntil = seen.deferUntilMs[i] as number;
  const report = reused;
  report.runsRelease = obs !== undefined && obs !== null && runsRelease(seen, i, release.version);
  report.update = obs?.update ?? null;
  report.updateSinceMs = Number.isNaN(since) ? null : since;
  report.deferUntilMs = Number.isNaN(deferUntil) ? null : deferUntil;
  const verdict = memberStatus(report, assignedAtMs, release.name, progressDeadlineMs, nowMs);
  members.rankOf[i] = rank;
  members.assignedAtMs[i] = assignedAtMs;
  members.status[i] = CODE[verdict.status];
  members.finalAtMs[i] = verdict.finalAtMs ?? NaN;
  members.deadlineMs[i] = verdict.deadlineMs ?? NaN;
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
