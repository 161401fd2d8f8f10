import type { Hold } from './assignments.js';
import { statusAt } from './appliance-status.js';
import { isDeferring, offlineSince, type ReconcileContext, type Seen } from './context.js';
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
export function applianceStatuses(ctx: ReconcileContext, newestFirst: readonly RolloutOutcome[]): ApplianceStatus[] {
  const waits = waitingFor(ctx, newestFirst);
  const { ids } = ctx.index;
  // Most of a fleet runs what it is told: one reason string per release serves them all.
  const runs = new Map<string, string>();
  const statuses: ApplianceStatus[] = [];
  let u = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as string;
    while (u < ctx.undeclared.length && (ctx.undeclared[u] as Seen).id < id) statuses.push(unknownStatus(ctx.undeclared[u++] as Seen));
    const rank = ctx.members.by[i] as number;
    const outcome = rank >= 0 ? newestFirst[rank] : undefined;
    if (outcome) {
      const status = statusAt(ctx.members, i);
      let reason = status === 'succeeded' ? runs.get(outcome.release.name) : undefined;
      if (reason === undefined) {
        reason = memberReason(ctx, i, outcome.release);
        if (status === 'succeeded') runs.set(outcome.release.name, reason);
      }
      statuses.push({ id, target: outcome.spec.release, rollout: outcome.spec.name, status, reason });
    } else {
      statuses.push({ id, target: null, rollout: null, status: 'idle', reason: idleReason(ctx, i, waits.get(i), runs) });
    }
  }
  while (u < ctx.undeclared.length) statuses.push(unknownStatus(ctx.undeclared[u++] as Seen));
  return statuses;
}

function unknownStatus(seen: Seen): ApplianceStatus {
  const reason = `checks in (last at ${toIso(seen.lastCheckinMs)}) but is not declared in the fleet repository`;
  return { id: seen.id, target: null, rollout: null, status: 'unknown', reason };
}

interface Wait {
  outcome: RolloutOutcome;
  hold: Hold;
}

// The newest rollout that holds an idle appliance back, if any.
function waitingFor(ctx: ReconcileContext, newestFirst: readonly RolloutOutcome[]): Map<number, Wait> {
  const waits = new Map<number, Wait>();
  for (const outcome of newestFirst) {
    for (const [i, hold] of outcome.set.held) {
      if (ctx.members.by[i] === -1 && !waits.has(i)) waits.set(i, { outcome, hold });
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

function idleReason(ctx: ReconcileContext, i: number, wait: Wait | undefined, memo: Map<string, string>): string {
  const parts: string[] = [];
  const offline = offlineSince(ctx, i);
  if (ctx.seen.obs[i] === undefined) parts.push('never checked in');
  else if (offline !== null) parts.push(`offline since ${toIso(offline)} (last check-in ${toIso(ctx.seen.lastCheckinMs[i] as number)})`);
  if (isDeferring(ctx, i)) parts.push(`deferring updates until ${toIso(ctx.seen.deferUntilMs[i] as number)}`);
  if (wait) {
    const hold = wait.hold === 'window' && wait.outcome.spec.window ? `its window (${formatWindow(wait.outcome.spec.window)}) is closed` : HOLD_TEXT[wait.hold];
    parts.push(`waits for ${wait.outcome.spec.release} (rollout ${wait.outcome.spec.name}): ${hold}`);
  } else {
    parts.push(noTarget(ctx, ctx.seen.version[i] ?? null, memo));
  }
  return parts.length === 1 ? (parts[0] as string) : parts.join('; ');
}

// Depends on the version alone, so one string per version serves every idle appliance running it.
function noTarget(ctx: ReconcileContext, version: string | null, memo: Map<string, string>): string {
  const key = `idle:${version ?? ''}`;
  let text = memo.get(key);
  if (text === undefined) {
    const running = version ? ctx.index.releaseByVersion.get(version) : undefined;
    text = running ? `up to date on ${running.name}; no rollout targets it` : 'no rollout targets it';
    memo.set(key, text);
  }
  return text;
}
