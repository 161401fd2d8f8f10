/**
 * What a recorded assignment of the rollout being planned makes of its appliance: a `member`; an
 * appliance `lost` to a claim (the rollout never assigns it again, even once the claim is gone);
 * or nothing to `ignore`.
 */
export type AssignmentVerdict = 'member' | 'lost' | 'ignore';

/** One recorded assignment of the rollout, with the appliance's current target, as the rule weighs it. */
export interface RecordedAssignment {
  /** The release this assignment named. */
  release: string;
  /** The rank of the rollout the appliance's current target came from (0 is the highest), or -1 for none. */
  targetRank: number;
  /** The release of the current target, or null for none. */
  targetRelease: string | null;
  /** Whether the appliance is already a member of some rollout in this pass. */
  alreadyMember: boolean;
}

/**
 * Whether an assignment counts for the rollout at `rank` delivering `release`: the appliance is a
 * `member` when its current target came from this rollout, names the rollout's release (as does this
 * assignment) and no rollout counted it yet. When its current target came from any other rollout, it
 * was `lost` to a claim: that rollout's assignment is the later one, whatever it ranks now (the
 * claim may have passed on since, from a removed rollout to a lower-ranked one). Anything else is
 * ignored: an assignment of another release (the spec changed it) is replaced by a fresh one.
 */
export function assignmentVerdict(a: RecordedAssignment, rank: number, release: string): AssignmentVerdict {
  // The current target is the latest standing assignment: one of another rollout superseded this one.
  if (a.targetRank !== rank) return a.targetRank >= 0 ? 'lost' : 'ignore';
  if (a.release !== release || a.targetRelease !== release || a.alreadyMember) return 'ignore';
  return 'member';
}
