import type { ReconcileContext, Seen } from '../context.js';
import type { Finding } from '../plan.js';
import { formatDuration } from '../../desired/quantities.js';
import { toIso } from '../time.js';
import { compareVersions } from '../versions.js';

/**
 * Findings about appliances themselves: ApplianceOffline (since last check-in + offlineAfter),
 * NeverCheckedIn, UnknownAppliance (checks in, not declared) and UnexpectedVersion (a version no
 * Release declares, or older than one it reported succeeding with: a silent rollback).
 */
export function applianceFindings(ctx: ReconcileContext): Finding[] {
  const findings: Finding[] = [];
  ctx.index.ids.forEach((id, i) => {
    const seen = ctx.seenAt[i];
    if (!seen) {
      findings.push({ type: 'NeverCheckedIn', severity: 'info', appliance: id, message: `${id} is declared but has never checked in` });
      return;
    }
    if (seen.offlineSinceMs !== null) {
      findings.push({
        type: 'ApplianceOffline',
        severity: 'warning',
        appliance: id,
        since: toIso(seen.offlineSinceMs),
        message: `${id} has not checked in since ${toIso(seen.lastCheckinMs)} (offline after ${formatDuration(ctx.offlineAfterMs)})`,
      });
    }
    const version = unexpectedVersion(ctx, seen);
    if (version) findings.push(version);
  });
  for (const seen of ctx.undeclared) {
    findings.push({
      type: 'UnknownAppliance',
      severity: 'warning',
      appliance: seen.id,
      message: `${seen.id} checks in (last at ${toIso(seen.lastCheckinMs)}) but is not declared in the fleet repository`,
    });
  }
  return findings;
}

function unexpectedVersion(ctx: ReconcileContext, seen: Seen): Finding | null {
  const reported = seen.obs.agentVersion;
  if (reported == null) return null;
  const id = seen.id;
  const update = seen.obs.update;
  const succeededWith = update && update.phase === 'succeeded' ? ctx.index.releases.get(update.release) : undefined;
  if (succeededWith && compareVersions(reported, succeededWith.version) < 0) {
    return {
      type: 'UnexpectedVersion',
      severity: 'error',
      appliance: id,
      message: `${id} runs ${reported}, older than ${succeededWith.name} it reported succeeding with at ${update?.since}: a silent rollback`,
    };
  }
  if (seen.version === null || !ctx.index.releaseByVersion.has(seen.version)) {
    return { type: 'UnexpectedVersion', severity: 'warning', appliance: id, message: `${id} runs ${reported}, which no declared Release has` };
  }
  return null;
}
