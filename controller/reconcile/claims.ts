/**
 * What a rollout may do with an appliance that is not yet its member: `take` it; leave it, `taken`,
 * to a higher-ranked rollout (or to itself, or to a claim it lost); or refuse it as `newer`.
 */
export type Claim = 'take' | 'taken' | 'newer';

/** An appliance's current target as the claim rule weighs it. */
export interface ClaimTarget {
  /** Whether the rollout being planned lost this appliance to a claim earlier in the pass. */
  lostHere: boolean;
  /** The rank of the rollout its current target came from (0 is the highest), or -1 for none. */
  rank: number;
  /** The release of that target, or null for none. */
  release: string | null;
  /** The version the appliance reports, normalized, or null. */
  version: string | null;
}

/** The rollout being planned, as the claim rule weighs it. */
export interface ClaimingRollout {
  rank: number;
  release: string;
  rollback: boolean;
  /** Whether `version` is newer than the rollout's release (false when its version is unknown). */
  isNewer(version: string): boolean;
}

/**
 * Whether `rollout` may assign an appliance with current target `target`: `taken` when it lost the
 * appliance to a claim, or the target came from a higher-ranked rollout, or from this one with its
 * release; else `newer` when the rollout is not a rollback and the appliance runs a newer version
 * than its release; else `take` (the target came from a lower-ranked rollout, or from none).
 */
export function claimOf(target: ClaimTarget, rollout: ClaimingRollout): Claim {
  if (target.lostHere) return 'taken';
  if (target.rank >= 0 && (target.rank < rollout.rank || (target.rank === rollout.rank && target.release === rollout.release))) return 'taken';
  if (!rollout.rollback && target.version !== null && rollout.isNewer(target.version)) return 'newer';
  return 'take';
}
