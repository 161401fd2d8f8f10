import type { ReconcileContext } from '../context.js';
import type { Finding } from '../plan.js';
import { toIso, toMs } from '../time.js';

/**
 * Retention findings for every declared appliance that checked in and has a policy:
 * RetentionNotApplied (the reported policy hash differs from the policy's, or none reported),
 * PruneOverdue (last prune older than twice `pruneEvery`) and DatabaseTooLarge.
 */
export function retentionFindings(ctx: ReconcileContext): Finding[] {
  const findings: Finding[] = [];
  const { ids, policyOf, retentionPolicies } = ctx.index;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as string;
    const obs = ctx.seen.obs[i];
    const policy = retentionPolicies[policyOf[i] as number];
    if (!obs || !policy) continue;
    const report = obs.retention;
    const base = { severity: 'warning' as const, appliance: id, policy: policy.name };
    if (!report || report.policyHash !== policy.policyHash) {
      const applied = report?.policyHash ? `applies another retention policy (hash ${report.policyHash.slice(0, 12)}…)` : 'reports no applied retention policy';
      findings.push({ ...base, type: 'RetentionNotApplied', message: `${id} ${applied}; it should apply ${policy.name} (hash ${policy.policyHash.slice(0, 12)}…)` });
    }
    const pruned = toMs(report?.lastPrunedAt);
    const overdueAt = pruned === null ? null : pruned + 2 * policy.incidents.pruneEveryMs;
    if (overdueAt !== null && ctx.nowMs > overdueAt) {
      findings.push({ ...base, type: 'PruneOverdue', since: toIso(overdueAt), message: `${id} last pruned its incidents at ${toIso(pruned as number)}, more than twice pruneEvery ago` });
    }
    if (report && policy.maxDatabaseBytes !== null && report.databaseBytes > policy.maxDatabaseBytes) {
      findings.push({
        ...base,
        type: 'DatabaseTooLarge',
        message: `${id}'s incidents database is ${formatBytes(report.databaseBytes)}, above maxDatabaseBytes ${formatBytes(policy.maxDatabaseBytes)} of ${policy.name}`,
      });
    }
  }
  return findings;
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
