import type { RetentionPolicy } from '../../desired/types.js';
import { findingLane, type ReconcileContext } from '../context.js';
import type { Finding } from '../plan.js';
import type { FindingLane } from './reuse.js';
import { toIso, toMs } from '../time.js';

/**
 * Retention findings for every declared appliance that checked in and has a policy:
 * RetentionNotApplied (the reported policy hash differs from the policy's, or none reported),
 * PruneOverdue (last prune older than twice `pruneEvery`) and DatabaseTooLarge. Appends them to
 * `findings` and returns it.
 */
export function retentionFindings(ctx: ReconcileContext, findings: Finding[] = []): Finding[] {
  const { ids, policyOf, retentionPolicies } = ctx.index;
  // What a message says of a policy is the same for every appliance: worded once per pass.
  const words = retentionPolicies.map((policy) => policyWords(ctx, policy));
  for (let i = 0; i < ids.length; i++) {
    const obs = ctx.seen.obs[i];
    const p = policyOf[i] as number;
    const policy = retentionPolicies[p];
    if (!obs || !policy) continue;
    const { hash, maxBytes, notApplied, overdue, tooLarge } = words[p] as PolicyWords;
    const id = ids[i] as string;
    const report = obs.retention;
    if (!report || report.policyHash !== policy.policyHash) {
      const applied = report?.policyHash ? `applies another retention policy (hash ${report.policyHash.slice(0, 12)}…)` : 'reports no applied retention policy';
      const message = `${id} ${applied}; it should apply ${policy.name} (hash ${hash}…)`;
      findings.push(notApplied.take(i, id, NaN, () => ({ type: 'RetentionNotApplied', severity: 'warning', appliance: id, policy: policy.name, message })));
    }
    const lastPrunedAt = report?.lastPrunedAt;
    const pruned = lastPrunedAt == null ? null : toMs(lastPrunedAt);
    const overdueAt = pruned === null ? null : pruned + 2 * policy.incidents.pruneEveryMs;
    if (overdueAt !== null && ctx.nowMs > overdueAt) {
      const at = pruned as number;
      findings.push(
        overdue.take(i, id, at, () => {
          const message = `${id} last pruned its incidents at ${toIso(at)}, more than twice pruneEvery ago`;
          return { type: 'PruneOverdue', severity: 'warning', appliance: id, policy: policy.name, since: toIso(overdueAt), message };
        }),
      );
    }
    if (report && policy.maxDatabaseBytes !== null && report.databaseBytes > policy.maxDatabaseBytes) {
      const bytes = report.databaseBytes;
      findings.push(
        tooLarge.take(i, id, bytes, () => {
          const message = `${id}'s incidents database is ${formatBytes(bytes)}, above maxDatabaseBytes ${maxBytes} of ${policy.name}`;
          return { type: 'DatabaseTooLarge', severity: 'warning', appliance: id, policy: policy.name, message };
        }),
      );
    }
  }
  return findings;
}

interface PolicyWords {
  hash: string;
  maxBytes: string;
  notApplied: FindingLane;
  /** Lanes named for what fixes the rest of the finding: the policy and its setting. */
  overdue: FindingLane;
  tooLarge: FindingLane;
}

function policyWords(ctx: ReconcileContext, policy: RetentionPolicy): PolicyWords {
  return {
    hash: policy.policyHash.slice(0, 12),
    maxBytes: policy.maxDatabaseBytes === null ? '' : formatBytes(policy.maxDatabaseBytes),
    notApplied: findingLane(ctx, `RetentionNotApplied/${policy.name}`),
    overdue: findingLane(ctx, `PruneOverdue/${policy.name}/${policy.incidents.pruneEveryMs}`),
    tooLarge: findingLane(ctx, `DatabaseTooLarge/${policy.name}/${policy.maxDatabaseBytes}`),
  };
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
