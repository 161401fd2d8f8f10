import { evaluateMember, isFinal, type MemberEval } from './appliance-status.js';
import type { ReleaseRef, Seen } from './context.js';

/** Why a member of the current cohort is not assigned yet. */
export type Hold = 'paused' | 'failures' | 'window' | 'maxConcurrent' | 'deferring';

/** The targeted members of one rollout while its plan is built, with running totals. */
export interface MemberSet {
  members: Map<string, MemberEval>;
  /** Assigned and neither succeeded nor failed (stuck included): what maxConcurrent caps. */
  inFlight: number;
  /** The latest final report among members, or null when none is final. */
  latestFinalMs: number | null;
  /** Ids assigned by this plan, in cohort order. */
  assignedNow: string[];
  /** Unassigned, unclaimed members of the cohort so far, and what holds each back. */
  held: Map<string, Hold>;
}

/** A member set from the evaluated existing assignments. */
export function memberSet(members: Map<string, MemberEval>): MemberSet {
  const set: MemberSet = { members, inFlight: 0, latestFinalMs: null, assignedNow: [], held: new Map() };
  for (const m of members.values()) track(set, m);
  return set;
}

function track(set: MemberSet, m: MemberEval): void {
  if (!isFinal(m)) set.inFlight++;
  else if (m.finalAtMs !== null && (set.latestFinalMs === null || m.finalAtMs > set.latestFinalMs)) set.latestFinalMs = m.finalAtMs;
}

export interface CohortScan {
  order: readonly string[];
  from: number;
  to: number;
  claimedByNewer: ReadonlyMap<string, string>;
  /** A hold on the whole rollout (paused, latched, window closed), or null. */
  rolloutHold: Hold | null;
  maxConcurrent: number | null;
  release: ReleaseRef;
  seen: ReadonlyMap<string, Seen>;
  progressDeadlineMs: number;
  nowMs: number;
}

/**
 * Assigns the unassigned, unclaimed members of `order[from, to)` in cohort order, unless something
 * holds them back: a hold on the whole rollout, their own `deferUntil` in the future (which does not
 * block the members after them), or `maxConcurrent` appliances already in flight. Records each
 * held member with its hold.
 */
export function assignCohort(set: MemberSet, scan: CohortScan): void {
  for (let i = scan.from; i < scan.to; i++) {
    const id = scan.order[i] as string;
    if (scan.claimedByNewer.has(id) || set.members.has(id)) continue;
    if (scan.rolloutHold) {
      set.held.set(id, scan.rolloutHold);
      continue;
    }
    const seen = scan.seen.get(id);
    if (seen && seen.deferUntilMs !== null && seen.deferUntilMs > scan.nowMs) {
      set.held.set(id, 'deferring');
      continue;
    }
    const member = evaluateMember(id, scan.nowMs, true, scan.release, seen, scan.progressDeadlineMs, scan.nowMs);
    if (scan.maxConcurrent !== null && !isFinal(member) && set.inFlight >= scan.maxConcurrent) {
      set.held.set(id, 'maxConcurrent');
      continue;
    }
    set.members.set(id, member);
    set.assignedNow.push(id);
    track(set, member);
  }
}
