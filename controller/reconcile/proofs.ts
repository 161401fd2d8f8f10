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

/** Pending proofs are counted per minute of creation (each bucket's `createdAt` is its minute's start). */
const BUCKET_MS = 60_000;

/**
 * What the OtsPolicy does to the proof counts at `now`: pending buckets created before the cutoff,
 * `now − expireAfter` rounded down to the minute, are expired (`ExpireProofs {count, olderThan}`,
 * only when count > 0). Rounded down because a bucket holds a whole minute of proofs: a cutoff
 * inside a bucket's minute would count proofs the store (which compares exact times) keeps pending,
 * and the next passes would plan their expiry again until the minute had passed. So a proof expires
 * up to a minute after `expireAfter`, once, and `count` is what the store expires.
 * Without an OtsPolicy nothing expires.
 */
export function planProofs(policy: OtsPolicy | null, proofs: ProofCounts, nowMs: number): ProofPlan {
  let pending = 0;
  let expiring = 0;
  const cutoff = policy ? Math.floor((nowMs - policy.expireAfterMs) / BUCKET_MS) * BUCKET_MS : null;
  for (const bucket of proofs.pending) {
    pending += bucket.count;
    const created = toMs(bucket.createdAt);
    if (cutoff !== null && created !== null && created < cutoff) expiring += bucket.count;
  }
  const expire = cutoff !== null && expiring > 0 ? { type: 'ExpireProofs' as const, count: expiring, olderThan: toIso(cutoff) } : null;
  return { expire, pendingAfter: pending - expiring };
}
