import { timeOrNull } from '../engine/member-table.js';
import { findingLane, offlineSince, type ReconcileContext } from '../context.js';
import type { Finding } from '../plan.js';
import type { RolloutOutcome } from '../rollout-pass.js';
import { toIso } from '../time.js';
import { formatSelector } from '../../desired/selector.js';
import { causeText } from '../stuck-reasons.js';

/**
 * A rollout's findings: StuckAppliance per stuck member (since its deadline), RolloutStalled,
 * RolloutFailed while failures exceed or latch it, NoEligibleAppliances, and for reviewers an
 * AssignsOfflineAppliance per appliance this plan assigns while it is offline or never checked in.
 * Appends them to `findings` and returns it.
 */
export function rolloutFindings(ctx: ReconcileContext, o: RolloutOutcome, findings: Finding[] = []): Finding[] {
  const rollout = o.spec.name;
  const deadline = (i: number) => timeOrNull(ctx.members.deadlineMs, i) ?? ctx.nowMs;
  if (o.stuck.length) {
    const lane = findingLane(ctx, `StuckAppliance/${rollout}`);
    for (const cause of o.stuck) {
      const id = ctx.index.ids[cause.index] as string;
      const since = toIso(deadline(cause.index));
      const message = `${id} is stuck on ${o.spec.release}: ${causeText(ctx, cause)}`;
      findings.push(lane.take(cause.index, id, NaN, () => ({ type: 'StuckAppliance', severity: 'warning', appliance: id, rollout, since, message })));
    }
    const since = o.stuck.reduce((min, c) => Math.min(min, deadline(c.index)), Infinity);
    findings.push({ type: 'RolloutStalled', severity: 'warning', rollout, since: toIso(since), message: `${rollout} is stalled: ${o.status.message}` });
  }
  const failedFinding = failureFinding(o);
  if (failedFinding) findings.push(failedFinding);
  if (o.order.length === 0 && o.set.count === 0) {
    findings.push({
      type: 'NoEligibleAppliances',
      severity: 'warning',
      rollout,
      ...(o.spec.selector ? { field: 'spec.selector' } : {}),
      message: `no declared appliance matches the selector of ${rollout} (${formatSelector(o.spec.selector)})`,
    });
  }
  for (const i of o.set.assignedNow) {
    const id = ctx.index.ids[i] as string;
    const seen = ctx.seen.obs[i] !== undefined;
    const offline = offlineSince(ctx, i);
    if (seen && offline === null) continue;
    const state = offline !== null ? `has been offline since ${toIso(offline)}` : 'has never checked in';
    findings.push({
      type: 'AssignsOfflineAppliance',
      severity: 'warning',
      appliance: id,
      rollout,
      ...(offline !== null ? { since: toIso(offline) } : {}),
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
  const sinceMs = d.kind === 'held' || d.kind === 'tripped' ? d.sinceMs : (o.failed.map((f) => f.atMs).sort((a, b) => a - b)[max] ?? 0);
  const failed = o.failed.length ? `${o.failed.length} failed members, more than maxFailures ${max}` : `more than maxFailures ${max} members failed`;
  const effect =
    d.kind === 'held' || d.kind === 'tripped'
      ? `${d.phase === 'Aborted' ? 'aborted' : 'paused'} until a commit changes the rollout`
      : 'the rollout is paused by its spec';
  return { type: 'RolloutFailed', severity: 'error', rollout: o.spec.name, since: toIso(sinceMs), message: `${o.spec.name}: ${failed}; ${effect}` };
}
