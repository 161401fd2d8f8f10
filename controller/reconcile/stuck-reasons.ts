import { statusAt, timeOrNull } from './appliance-status.js';
import { seenAt, type ReconcileContext, type ReleaseRef, type Seen } from './context.js';
import { toIso } from './time.js';

/** Why an assigned appliance has not finished, in the precedence DESIGN.md gives. */
export type CauseKind = 'offline' | 'never-checked-in' | 'deferring' | 'in-phase' | 'not-acknowledged';

/**
 * A cause as data; `causeText` and `causeShort` word it. (Wording is left until needed: a pass over
 * a large fleet words only the causes it shows.)
 */
export interface Cause {
  kind: CauseKind;
  /** The appliance's position. */
  index: number;
  assignedAtMs: number;
  release: ReleaseRef;
  seen: Seen | undefined;
}

/**
 * What keeps unfinished member `i` from its release, built from what was observed; the first that
 * applies of: offline since T, never checked in since assignment, deferring until T, in phase P
 * since T, checked in since assignment but never acknowledged the target.
 */
export function causeOf(ctx: ReconcileContext, i: number, release: ReleaseRef): Cause {
  const seen = seenAt(ctx, i);
  const assignedAtMs = ctx.members.assignedAtMs[i] as number;
  const cause = (kind: CauseKind): Cause => ({ kind, index: i, assignedAtMs, release, seen });
  if (!seen) return cause('never-checked-in');
  if (seen.offlineSinceMs !== null) return cause('offline');
  if (seen.lastCheckinMs < assignedAtMs) return cause('never-checked-in');
  if (seen.deferUntilMs !== null && seen.deferUntilMs > ctx.nowMs) return cause('deferring');
  const update = seen.obs.update;
  if (update && update.release === release.name && update.phase !== 'succeeded' && update.phase !== 'failed') return cause('in-phase');
  return cause('not-acknowledged');
}

/** The whole explanation, for an appliance's reason. */
export function causeText(c: Cause): string {
  const { seen, release } = c;
  const assigned = toIso(c.assignedAtMs);
  switch (c.kind) {
    case 'offline':
      return `offline since ${toIso(seen?.offlineSinceMs ?? 0)} (last check-in ${toIso(seen?.lastCheckinMs ?? 0)})`;
    case 'never-checked-in':
      return seen
        ? `never checked in since assignment of ${release.name} at ${assigned} (last check-in ${toIso(seen.lastCheckinMs)})`
        : `never checked in (assigned ${release.name} at ${assigned})`;
    case 'deferring':
      return `deferring updates until ${toIso(seen?.deferUntilMs ?? 0)}`;
    case 'in-phase': {
      const update = seen?.obs.update;
      const since = seen?.updateSinceMs != null ? toIso(seen.updateSinceMs) : 'an unknown time';
      const attempt = update && update.attempt > 1 ? `, attempt ${update.attempt}` : '';
      return `in phase ${update?.phase} since ${since}${attempt}`;
    }
    case 'not-acknowledged':
      return `checked in since assignment of ${release.name} at ${assigned} (last at ${toIso(seen?.lastCheckinMs ?? 0)}) but never acknowledged it`;
  }
}

/** A few words, for a rollout message that lists several appliances. */
export function causeShort(c: Cause): string {
  switch (c.kind) {
    case 'offline':
      return `offline since ${toIso(c.seen?.offlineSinceMs ?? 0)}`;
    case 'never-checked-in':
      return 'never checked in since assignment';
    case 'deferring':
      return `deferring until ${toIso(c.seen?.deferUntilMs ?? 0)}`;
    case 'in-phase':
      return `${c.seen?.obs.update?.phase} since ${c.seen?.updateSinceMs != null ? toIso(c.seen.updateSinceMs) : 'an unknown time'}`;
    case 'not-acknowledged':
      return 'never acknowledged';
  }
}

/**
 * The reason shown beside member `i`'s status: what it runs when it succeeded, its attempts and
 * the agent's last error when it failed, otherwise its cause — and for a stuck one, when its
 * deadline passed.
 */
export function memberReason(ctx: ReconcileContext, i: number, release: ReleaseRef): string {
  switch (statusAt(ctx.members, i)) {
    case 'succeeded':
      return `runs ${release.name}`;
    case 'failed': {
      const update = ctx.seen.obs[i]?.update;
      const attempts = Math.max(1, update?.attempt ?? 1);
      return `failed ${attempts} ${attempts === 1 ? 'time' : 'times'}: ${update?.error ?? 'the agent reported no error'}`;
    }
    case 'stuck':
      return `${causeText(causeOf(ctx, i, release))}; stuck since ${toIso(timeOrNull(ctx.members.deadlineMs, i) ?? ctx.nowMs)}`;
    default:
      return causeText(causeOf(ctx, i, release));
  }
}
