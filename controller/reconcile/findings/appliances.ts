import { findingLane, offlineSince, type ReconcileContext } from '../context.js';
import type { Finding } from '../plan.js';
import { formatDuration } from '../../desired/quantities.js';
import type { ApplianceObservation } from '../../observed/state-schema.js';
import { toIso, toIsoFrom } from '../time.js';
import { compareVersions, normalizeVersion } from '../versions.js';

/**
 * Findings about appliances themselves: ApplianceOffline (since last check-in + offlineAfter),
 * NeverCheckedIn, UnknownAppliance (checks in, not declared) and UnexpectedVersion (a version no
 * Release declares, or older than one it reported succeeding with: a silent rollback). Appends
 * them to `findings` and returns it.
 */
export function applianceFindings(ctx: ReconcileContext, findings: Finding[] = []): Finding[] {
  const { ids } = ctx.index;
  const offlineAfter = formatDuration(ctx.offlineAfterMs);
  const never = findingLane(ctx, 'NeverCheckedIn');
  // The offline finding depends on the last check-in alone, once offlineAfter is fixed.
  const offlineLane = findingLane(ctx, `ApplianceOffline/${ctx.offlineAfterMs}`);
  const versionLane = findingLane(ctx, 'UnexpectedVersion');
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as string;
    const obs = ctx.seen.obs[i];
    if (!obs) {
      findings.push(never.take(i, id, 0, () => ({ type: 'NeverCheckedIn', severity: 'info', appliance: id, message: `${id} is declared but has never checked in` })));
      continue;
    }
    const offline = offlineSince(ctx, i);
    if (offline !== null) {
      const last = ctx.seen.lastCheckinMs[i] as number;
      findings.push(
        offlineLane.take(i, id, last, () => {
          const message = `${id} has not checked in since ${toIsoFrom(obs.lastCheckinAt, last)} (offline after ${offlineAfter})`;
          return { type: 'ApplianceOffline', severity: 'warning', appliance: id, since: toIso(offline), message };
        }),
      );
    }
    const version = unexpectedVersion(ctx, obs, ctx.seen.version[i] ?? null);
    if (version) findings.push(versionLane.take(i, id, NaN, () => version));
  }
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

function unexpectedVersion(ctx: ReconcileContext, obs: ApplianceObservation, version: string | null): Finding | null {
  const reported = obs.agentVersion;
  if (reported == null) return null;
  const id = obs.id;
  const update = obs.update;
  const succeededWith = update && update.phase === 'succeeded' ? ctx.index.releases.get(update.release) : undefined;
  if (succeededWith && normalizeVersion(succeededWith.version) !== version && compareVersions(reported, succeededWith.version) < 0) {
    return {
      type: 'UnexpectedVersion',
      severity: 'error',
      appliance: id,
      message: `${id} runs ${reported}, older than ${succeededWith.name} it reported succeeding with at ${update?.since}: a silent rollback`,
    };
  }
  if (version === null || !ctx.index.releaseByVersion.has(version)) {
    return { type: 'UnexpectedVersion', severity: 'warning', appliance: id, message: `${id} runs ${reported}, which no declared Release has` };
  }
  return null;
}
