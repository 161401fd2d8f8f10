import { retentionPolicyHash } from '../../protocol/canonical.js';
import type { RetentionGrant } from '../state/local-state.js';

export interface AppliedRetention {
  appliedPolicyHash: string | null;
  lastPrunedAt: number | null;
}

export type RetentionDecision =
  | { kind: 'prune'; reason: string }
  | { kind: 'later'; at: number }
  | { kind: 'invalid'; message: string };

/**
 * Whether to prune now: when the handed-down policy differs from the one last applied, when none
 * was ever applied, or `pruneEverySeconds` after the last prune. A policy whose hash does not match
 * its content is never applied (`invalid`): the reported hash must mean what it says.
 */
export function retentionDue(grant: RetentionGrant, applied: AppliedRetention, now: number): RetentionDecision {
  const computed = retentionPolicyHash(grant.policy);
  if (computed !== grant.policyHash) {
    return { kind: 'invalid', message: `policy hash ${grant.policyHash} does not match the policy (computed ${computed})` };
  }
  if (applied.appliedPolicyHash !== grant.policyHash) return { kind: 'prune', reason: 'new policy' };
  if (applied.lastPrunedAt === null) return { kind: 'prune', reason: 'never pruned' };
  const at = applied.lastPrunedAt + grant.policy.pruneEverySeconds * 1000;
  return now >= at ? { kind: 'prune', reason: 'pruneEvery elapsed' } : { kind: 'later', at };
}
