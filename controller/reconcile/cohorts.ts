import { sha256Hex } from '../desired/canonical.js';

/** The key that orders an appliance within a rollout: `sha256(rolloutName + "/" + applianceId)` in hex. */
export function cohortKey(rollout: string, applianceId: string): string {
  return sha256Hex(`${rollout}/${applianceId}`);
}

/**
 * How many appliances of the cohort order a stage covers: `max(1, ceil(percent × eligible / 100))`,
 * and none when nothing is eligible. Integer arithmetic, so 100% is always the whole set.
 */
export function stageSize(percent: number, eligible: number): number {
  if (eligible <= 0) return 0;
  return Math.min(eligible, Math.max(1, Math.floor((percent * eligible + 99) / 100)));
}

/** The eligible ids in cohort order, hashing every one: the reference the cache must agree with. */
export function computeCohortOrder(rollout: string, eligible: readonly string[]): string[] {
  const keyed = eligible.map((id) => ({ id, key: cohortKey(rollout, id) }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.id);
}
