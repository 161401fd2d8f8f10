import type { ReconcileContext } from '../context.js';
import type { Finding } from '../plan.js';
import type { RolloutOutcome } from '../rollout-pass.js';
import { toIso } from '../time.js';
import { formatSelector } from '../../desired/selector.js';
import { causeText } from '../stuck-reasons.js';

/**
 * A rollout's findings: StuckAppliance per stuck member (since its deadline), RolloutStalled,
 * RolloutFailed while failures exceed or latch it, NoEligibleAppliances, and for reviewers an
 * AssignsOfflineAppliance per appliance this plan assigns while it is offline or never checked in.
 */
export function rolloutFindings(ctx: ReconcileContext, o: RolloutOutcome): Finding[] {
  const findings: Finding[] = [];
  const rollout = o.spec.name;
  for (const { member, cause } of o.stuck) {
    findings.push({
      type: 'StuckAppliance',
      severity: 'warning',
      appliance: member.id,
      rollout,
      since: toIso(member.deadlineMs ?? ctx.nowMs),
      message: `${member.id} is stuck on ${o.spec.release}: ${causeText(cause)}`,
    });
  }
  if (o.stuck.length) {
    const since = Math.min(...o.stuck.map((s) => s.member.deadlineMs ?? ctx.nowMs));
    findings.push({ type: 'RolloutStalled', severity: 'warning', rollout, since: toIso(since), message: `${rollout} is stalled: ${o.status.message}` });
  }
  const failedFinding = failureFinding(o);
  if (failedFinding) findings.push(failedFinding);
  if (o.order.length === 0 && o.set.members.length === 0) {
    findings.push({
      type: 'NoEligibleAppliances',
      severity: 'warning',
      rollout,
      message: `no declared appliance matches the selector of ${rollout} (${formatSelector(o.spec.selector)})`,
    });
  }
  for (const i of o.set.assignedNow) {
    const id = ctx.index.ids[i] as string;
    const seen = ctx.seenAt[i];
    if (seen && seen.offlineSinceMs === null) continue;
    const state = seen ? `has been offline since ${toIso(seen.offlineSinceMs as number)}` : 'has never checked in';
    findings.push({
      type: 'AssignsOfflineAppliance',
      severity: 'warning',
      appliance: id,
      rollout,
      ...(seen ? { since: toIso(seen.offlineSinceMs as number) } : {}),
      message: `this plan assigns ${o.spec.release} to ${id}, which ${state}: it will not update until it checks in`,
    });
  }
  return findings;
}

function failureFinding(o: RolloutOutcome): Finding | null {
  const d = o.decision;
  const max = o.spec.failurePolicy.maxFailures;
  const over = o.failed.length > max;
  if (d.kind !== 'held' && d.kind !== 'tripped' && !over) return null;
  const sinceMs = d.kind === 'held' || d.kind === 'tripped' ? d.sinceMs : (o.failed.map((m) => m.finalAtMs ?? 0).sort((a, b) => a - b)[max] ?? 0);
  const failed = o.failed.length ? `${o.failed.length} failed members, more than maxFailures ${max}` : `more than maxFailures ${max} members failed`;
  const effect =
    d.kind === 'held' || d.kind === 'tripped'
      ? `${d.phase === 'Aborted' ? 'aborted' : 'paused'} until a commit changes the rollout`
      : 'the rollout is paused by its spec';
  return { type: 'RolloutFailed', severity: 'error', rollout: o.spec.name, since: toIso(sinceMs), message: `${o.spec.name}: ${failed}; ${effect}` };
}
