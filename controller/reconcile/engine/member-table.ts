import type { ApplianceUpdateStatus } from '../plan.js';
import type { ReleaseRef } from '../context.js';
import { memberStatus, type MemberReport, type MemberVerdict } from '../member-status.js';
import { runsRelease, type SeenTable } from './seen-table.js';

/** Statuses by code, as the member table stores them. */
export const STATUSES: readonly ApplianceUpdateStatus[] = ['pending', 'updating', 'succeeded', 'failed', 'stuck'];
const PENDING = 0;
const SUCCEEDED = 2;
const FAILED = 3;
const CODE: Record<ApplianceUpdateStatus, number> = { pending: PENDING, updating: 1, succeeded: SUCCEEDED, failed: FAILED, stuck: 4 };

/**
 * Each declared appliance's membership, by position: `rankOf[i]` is the rank (position in planning
 * order) of the rollout whose assignment targets it, or -1; the other columns hold the verdict of
 * memberStatus there, empty times as NaN. Rollouts are planned highest rank first, so a position
 * another rollout already holds was claimed by a higher-ranked one.
 */
export interface MemberTable {
  /** The member's rollout by rank, or -1. */
  rankOf: Int32Array;
  /** Its status, as an index into STATUSES. */
  status: Uint8Array;
  assignedAtMs: Float64Array;
  /** When it reached succeeded or failed (its report's `since`, never before the assignment); NaN otherwise. */
  finalAtMs: Float64Array;
  /** When it is (or became) stuck: the later of assignment and last `deferUntil`, plus progressDeadline; NaN while deferring. */
  deadlineMs: Float64Array;
}

/** What a rollout's members are judged against: its release and progress deadline, at `now`. */
export interface MemberTerms {
  release: ReleaseRef;
  progressDeadlineMs: number;
  nowMs: number;
}

// One report object filled for each member in turn: a pass reads 100,000 of them, and the rule keeps none.
const reused: MemberReport = { runsRelease: false, update: null, updateSinceMs: null, deferUntilMs: null };

/** The memberStatus verdict of appliance `i` assigned at `assignedAtMs`, from what it reported (see SeenTable). */
export function verdictAt(seen: SeenTable, i: number, assignedAtMs: number, terms: MemberTerms): MemberVerdict {
  const obs = seen.obs[i];
  const report = reused;
  report.runsRelease = obs !== undefined && obs !== null && runsRelease(seen, i, terms.release.version);
  report.update = obs?.update ?? null;
  report.updateSinceMs = timeOrNull(seen.updateSinceMs, i);
  report.deferUntilMs = timeOrNull(seen.deferUntilMs, i);
  return memberStatus(report, assignedAtMs, terms.release.name, terms.progressDeadlineMs, terms.nowMs);
}

/** Records appliance `i` as a member of rollout `rank`, assigned at `assignedAtMs`, with its verdict. */
export function recordMember(members: MemberTable, i: number, rank: number, assignedAtMs: number, verdict: MemberVerdict): void {
  members.rankOf[i] = rank;
  members.assignedAtMs[i] = assignedAtMs;
  members.status[i] = CODE[verdict.status];
  members.finalAtMs[i] = verdict.finalAtMs ?? NaN;
  members.deadlineMs[i] = verdict.deadlineMs ?? NaN;
}

/** Forgets appliance `i`'s membership (an aborted rollout withdrew it). */
export function clearMember(members: MemberTable, i: number): void {
  members.rankOf[i] = -1;
  members.status[i] = PENDING;
  members.assignedAtMs[i] = NaN;
  members.finalAtMs[i] = NaN;
  members.deadlineMs[i] = NaN;
}

/** Member `i`'s status. */
export function statusAt(members: MemberTable, i: number): ApplianceUpdateStatus {
  return STATUSES[members.status[i] as number] as ApplianceUpdateStatus;
}

/** Succeeded or failed: the member no longer holds its stage (given failures within the limit). */
export function isFinalAt(members: MemberTable, i: number): boolean {
  const s = members.status[i];
  return s === SUCCEEDED || s === FAILED;
}

/** Whether member `i` has `status`. */
export function isStatus(members: MemberTable, i: number, status: ApplianceUpdateStatus): boolean {
  return members.status[i] === CODE[status];
}

/** A time column's value, NaN read as null. */
export function timeOrNull(column: Float64Array, i: number): number | null {
  const v = column[i] as number;
  return Number.isNaN(v) ? null : v;
}
