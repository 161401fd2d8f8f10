import { evaluateMember, isFinal, type MemberEval } from './appliance-status.js';
import type { Claims, ReleaseRef, Seen } from './context.js';

/** Why a member of the current cohort is not assigned yet. */
export type Hold = 'paused' | 'failures' | 'window' | 'maxConcurrent' | 'deferring';

/** The targeted members of one rollout while its plan is built, with running totals. */
export interface MemberSet {
  /** The rollout's position in planning order: what it writes into the claims. */
  rank: number;
  members: MemberEval[];
  /** Assigned and neither succeeded nor failed (stuck included): what maxConcurrent caps. */
  inFlight: number;
  /** The latest final report among members, or null when none is final. */
  latestFinalMs: number | null;
  /** Positions assigned by this plan, in cohort order. */
  assignedNow: number[];
  /** Unassigned, unclaimed members of the cohort so far (by position), and what holds each back. */
  held: Map<number, Hold>;
}

/** A member set from the evaluated existing assignments (already recorded in the claims). */
export function memberSet(rank: number, members: MemberEval[]): MemberSet {
  const set: MemberSet = { rank, members, inFlight: 0, latestFinalMs: null, assignedNow: [], held: new Map() };
  for (let k = 0; k < members.length; k++) track(set, members[k] as MemberEval);
  return set;
}

function track(set: MemberSet, m: MemberEval): void {
  if (!isFinal(m)) set.inFlight++;
  else if (m.finalAtMs !== null && (set.latestFinalMs === null || m.finalAtMs > set.latestFinalMs)) set.latestFinalMs = m.finalAtMs;
}

export interface CohortScan {
  ids: readonly string[];
  order: Int32Array;
  from: number;
  to: number;
  claims: Claims;
  /** A hold on the whole rollout (paused, latched, window closed), or null. */
  rolloutHold: Hold | null;
  maxConcurrent: number | null;
  release: ReleaseRef;
  seenAt: readonly (Seen | undefined)[];
  progressDeadlineMs: number;
  nowMs: number;
}

/**
 * Assigns the unassigned, unclaimed members of `order[from, to)` in cohort order, unless something
 * holds them back: a hold on the whole rollout, their own `deferUntil` in the future (which does not
 * block the members after them), or `maxConcurrent` appliances already in flight. Records each
 * assignment in the claims and each held member with its hold.
 */
export function assignCohort(set: MemberSet, scan: CohortScan): void {
  const { claims } = scan;
  for (let k = scan.from; k < scan.to; k++) {
    const i = scan.order[k] as number;
    if (claims.by[i] !== -1) continue;
    if (scan.rolloutHold) {
      set.held.set(i, scan.rolloutHold);
      continue;
    }
    const seen = scan.seenAt[i];
    if (seen && seen.deferUntilMs !== null && seen.deferUntilMs > scan.nowMs) {
      set.held.set(i, 'deferring');
      continue;
    }
    const member = evaluateMember(scan.ids[i] as string, i, scan.nowMs, true, scan.release, seen, scan.progressDeadlineMs, scan.nowMs);
    if (scan.maxConcurrent !== null && !isFinal(member) && set.inFlight >= scan.maxConcurrent) {
      set.held.set(i, 'maxConcurrent');
      continue;
    }
    set.members.push(member);
    set.assignedNow.push(i);
    claims.by[i] = set.rank;
    claims.member[i] = member;
    track(set, member);
  }
}
