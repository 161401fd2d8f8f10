import type { OtsPolicy } from '../desired/types.js';
import type { ProofCounts } from '../observed/state-schema.js';
import type { Action } from './plan.js';
import { toIso, toMs } from './time.js';

export interface ProofPlan {
  /** ExpireProofs when some pending proofs are older than `expireAfter`; null otherwise. */
  expire: Extract<Action, { type: 'ExpireProofs' }> | null;
  /** Pending proofs once the expiry is applied. */
  pendingAfter: number;
}

/**
 * What the OtsPolicy does to the proof counts at `now`: pending buckets created before
 * `now − expireAfter` are expired (`ExpireProofs {count, olderThan}`, only when count > 0).
 * Without an OtsPolicy nothing expires.
 */
export function planProofs(policy: OtsPolicy | null, proofs: ProofCounts, nowMs: number): ProofPlan {
  let pending = 0;
  let expiring = 0;
  const cutoff = policy ? nowMs - policy.expireAfterMs : null;
  for (const bucket of proofs.pending) {
    pending += bucket.count;
    const created = toMs(bucket.createdAt);
    if (cutoff !== null && created !== null && created < cutoff) expiring += bucket.count;
  }
  const expire = cutoff !== null && expiring > 0 ? { type: 'ExpireProofs' as const, count: expiring, olderThan: toIso(cutoff) } : null;
  return { expire, pendingAfter: pending - expiring };
}
