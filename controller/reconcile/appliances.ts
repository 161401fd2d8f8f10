import type { Hold } from './assignments.js';
import type { ReconcileContext } from './context.js';
import type { ApplianceStatus } from './plan.js';
import type { RolloutOutcome } from './rollout-pass.js';
import { memberReason } from './stuck-reasons.js';
import { toIso } from './time.js';
import { formatWindow } from './window.js';

/**
 * One entry per appliance, declared or seen, sorted by id: its single target (the newest release
 * among the rollouts that assigned it), its status in that rollout and the reason. Declared ones
 * without a target are `idle`, saying what holds a waiting rollout back; undeclared ones that check
 * in are `unknown` with no target.
 */
export function applianceStatuses(
  ctx: ReconcileContext,
  /** Newest first, as reconcile planned them. */
  outcomes: readonly RolloutOutcome[],
  claims: ReadonlyMap<string, string>,
): ApplianceStatus[] {
  const byName = new Map(outcomes.map((o) => [o.spec.name, o]));
  const waits = waitingFor(outcomes, claims);
  const statuses: ApplianceStatus[] = [];
  for (const id of allIds(ctx)) {
    if (!ctx.declared.has(id)) {
      const last = toIso(ctx.seen.get(id)?.lastCheckinMs ?? 0);
      statuses.push({ id, target: null, rollout: null, status: 'unknown', reason: `checks in (last at ${last}) but is not declared in the fleet repository` });
      continue;
    }
    const outcome = byName.get(claims.get(id) ?? '');
    const member = outcome?.set.members.get(id);
    if (outcome && member) {
      const reason = memberReason(member, outcome.release, ctx.seen.get(id), ctx.nowMs);
      statuses.push({ id, target: outcome.spec.release, rollout: outcome.spec.name, status: member.status, reason });
    } else {
      statuses.push({ id, target: null, rollout: null, status: 'idle', reason: idleReason(ctx, id, waits.get(id)) });
    }
  }
  return statuses;
}

interface Wait {
  outcome: RolloutOutcome;
  hold: Hold;
}

// The newest rollout that holds an idle appliance back, if any (outcomes come newest first).
function waitingFor(outcomes: readonly RolloutOutcome[], claims: ReadonlyMap<string, string>): Map<string, Wait> {
  const waits = new Map<string, Wait>();
  for (const outcome of outcomes) {
    for (const [id, hold] of outcome.set.held) {
      if (!claims.has(id) && !waits.has(id)) waits.set(id, { outcome, hold });
    }
  }
  return waits;
}

const HOLD_TEXT: Record<Hold, string> = {
  paused: 'the rollout is paused',
  failures: 'the rollout stopped after too many failures',
  window: 'its window is closed',
  maxConcurrent: 'maxConcurrent appliances are in flight',
  deferring: 'it defers updates',
};

function idleReason(ctx: ReconcileContext, id: string, wait: Wait | undefined): string {
  const seen = ctx.seen.get(id);
  const parts: string[] = [];
  if (!seen) parts.push('never checked in');
  else if (seen.offlineSinceMs !== null) parts.push(`offline since ${toIso(seen.offlineSinceMs)} (last check-in ${toIso(seen.lastCheckinMs)})`);
  if (seen && seen.deferUntilMs !== null && seen.deferUntilMs > ctx.nowMs) parts.push(`deferring updates until ${toIso(seen.deferUntilMs)}`);
  if (wait) {
    const hold = wait.hold === 'window' && wait.outcome.spec.window ? `its window (${formatWindow(wait.outcome.spec.window)}) is closed` : HOLD_TEXT[wait.hold];
    parts.push(`waits for ${wait.outcome.spec.release} (rollout ${wait.outcome.spec.name}): ${hold}`);
  } else {
    const running = seen?.version ? ctx.releaseByVersion.get(seen.version) : undefined;
    parts.push(running ? `up to date on ${running.name}; no rollout targets it` : 'no rollout targets it');
  }
  return parts.join('; ');
}

function allIds(ctx: ReconcileContext): string[] {
  const ids = ctx.declaredIds.slice();
  let undeclared = false;
  for (const id of ctx.seenIds) {
    if (!ctx.declared.has(id)) {
      ids.push(id);
      undeclared = true;
    }
  }
  return undeclared ? ids.sort() : ids;
}
