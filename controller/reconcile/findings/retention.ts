import type { RetentionPolicy } from '../../desired/types.js';
import type { ReconcileContext } from '../context.js';
import type { Finding } from '../plan.js';
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
  const words = retentionPolicies.map(policyWords);
  for (let i = 0; i < ids.length; i++) {
    const obs = ctx.seen.obs[i];
    const p = policyOf[i] as number;
    const policy = retentionPolicies[p];
    if (!obs || !policy) continue;
    const { hash, maxBytes } = words[p] as PolicyWords;
    const id = ids[i] as string;
    const report = obs.retention;
    if (!report || report.policyHash !== policy.policyHash) {
      const applied = report?.policyHash ? `applies another retention policy (hash ${report.policyHash.slice(0, 12)}…)` : 'reports no applied retention policy';
      findings.push({ type: 'RetentionNotApplied', severity: 'warning', appliance: id, policy: policy.name, message: `${id} ${applied}; it should apply ${policy.name} (hash ${hash}…)` });
    }
    const lastPrunedAt = report?.lastPrunedAt;
    const pruned = lastPrunedAt == null ? null : toMs(lastPrunedAt);
    const overdueAt = pruned === null ? null : pruned + 2 * policy.incidents.pruneEveryMs;
    if (overdueAt !== null && ctx.nowMs > overdueAt) {
      findings.push({
        type: 'PruneOverdue',
        severity: 'warning',
        appliance: id,
        policy: policy.name,
        since: toIso(overdueAt),
        message: `${id} last pruned its incidents at ${toIso(pruned as number)}, more than twice pruneEvery ago`,
      });
    }
    if (report && policy.maxDatabaseBytes !== null && report.databaseBytes > policy.maxDatabaseBytes) {
      findings.push({
        type: 'DatabaseTooLarge',
        severity: 'warning',
        appliance: id,
        policy: policy.name,
        message: `${id}'s incidents database is ${formatBytes(report.databaseBytes)}, above maxDatabaseBytes ${maxBytes} of ${policy.name}`,
      });
    }
  }
  return findings;
}

interface PolicyWords {
  hash: string;
  maxBytes: string;
}

function policyWords(policy: RetentionPolicy): PolicyWords {
  return { hash: policy.policyHash.slice(0, 12), maxBytes: policy.maxDatabaseBytes === null ? '' : formatBytes(policy.maxDatabaseBytes) };
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
