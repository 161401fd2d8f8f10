import { statusAt, timeOrNull } from './engine/member-table.js';
import { offlineSince, type ReconcileContext, type ReleaseRef } from './context.js';
import { toIso, toIsoFrom } from './time.js';

/** Why an assigned appliance has not finished, in the precedence docs/rollouts.md gives ("Per-appliance status and reason"). */
export type CauseKind = 'offline' | 'never-checked-in' | 'deferring' | 'in-phase' | 'not-acknowledged';

/**
 * A stuck member's cause as data; `causeText` and `causeShort` word it from the pass's columns.
 * (Wording is left until needed: a pass over a large fleet words only the causes it shows, and a
 * stuck member's cause once for its finding and its reason.)
 */
export interface Cause {
  kind: CauseKind;
  /** The appliance's position. */
  index: number;
  release: ReleaseRef;
  /** The whole explanation, once worded. */
  text?: string;
}

/**
 * What keeps unfinished member `i` from its release, built from what was observed; the first that
 * applies of: offline since T, never checked in since assignment, deferring until T, in phase P
 * since T, checked in since assignment but never acknowledged the target.
 */
export function causeKind(ctx: ReconcileContext, i: number, release: ReleaseRef): CauseKind {
  const obs = ctx.seen.obs[i];
  if (!obs) return 'never-checked-in';
  if (offlineSince(ctx, i) !== null) return 'offline';
  if ((ctx.seen.lastCheckinMs[i] as number) < (ctx.members.assignedAtMs[i] as number)) return 'never-checked-in';
  if ((ctx.seen.deferUntilMs[i] as number) > ctx.nowMs) return 'deferring';
  const update = obs.update;
  if (update && update.release === release.name && update.phase !== 'succeeded' && update.phase !== 'failed') return 'in-phase';
  return 'not-acknowledged';
}

/** The cause of unfinished member `i` as data (see causeKind). */
export function causeOf(ctx: ReconcileContext, i: number, release: ReleaseRef): Cause {
  return { kind: causeKind(ctx, i, release), index: i, release };
}

/** The whole explanation, for an appliance's reason and its StuckAppliance finding; worded once per cause. */
export function causeText(ctx: ReconcileContext, c: Cause): string {
  if (c.text === undefined) c.text = wordCause(ctx, c.index, c.kind, c.release);
  return c.text;
}

function wordCause(ctx: ReconcileContext, i: number, kind: CauseKind, release: ReleaseRef): string {
  const { seen } = ctx;
  switch (kind) {
    case 'offline':
      return `offline since ${toIso(offlineSince(ctx, i) ?? 0)} (last check-in ${lastCheckin(ctx, i)})`;
    case 'never-checked-in':
      return seen.obs[i]
        ? `never checked in since assignment of ${release.name} at ${assignedAt(ctx, i)} (last check-in ${lastCheckin(ctx, i)})`
        : `never checked in (assigned ${release.name} at ${assignedAt(ctx, i)})`;
    case 'deferring':
      return `deferring updates until ${toIsoFrom(seen.obs[i]?.deferUntil, seen.deferUntilMs[i] as number)}`;
    case 'in-phase': {
      const update = seen.obs[i]?.update;
      const attempt = update && update.attempt > 1 ? `, attempt ${update.attempt}` : '';
      return `in phase ${update?.phase} since ${updateSince(ctx, i)}${attempt}`;
    }
    case 'not-acknowledged':
      return `checked in since assignment of ${release.name} at ${assignedAt(ctx, i)} (last at ${lastCheckin(ctx, i)}) but never acknowledged it`;
  }
}

function lastCheckin(ctx: ReconcileContext, i: number): string {
  return toIsoFrom(ctx.seen.obs[i]?.lastCheckinAt, ctx.seen.lastCheckinMs[i] as number);
}

function assignedAt(ctx: ReconcileContext, i: number): string {
  return toIso(ctx.members.assignedAtMs[i] as number);
}

/** A few words, for a rollout message that lists several appliances. */
export function causeShort(ctx: ReconcileContext, c: Cause): string {
  const i = c.index;
  switch (c.kind) {
    case 'offline':
      return `offline since ${toIso(offlineSince(ctx, i) ?? 0)}`;
    case 'never-checked-in':
      return 'never checked in since assignment';
    case 'deferring':
      return `deferring until ${toIso(ctx.seen.deferUntilMs[i] as number)}`;
    case 'in-phase':
      return `${ctx.seen.obs[i]?.update?.phase} since ${updateSince(ctx, i)}`;
    case 'not-acknowledged':
      return 'never acknowledged';
  }
}

function updateSince(ctx: ReconcileContext, i: number): string {
  const since = ctx.seen.updateSinceMs[i] as number;
  return Number.isNaN(since) ? 'an unknown time' : toIsoFrom(ctx.seen.obs[i]?.update?.since, since);
}

/**
 * The reason shown beside member `i`'s status: what it runs when it succeeded, its attempts and
 * the agent's last error when it failed, otherwise its cause — and for a stuck one, when its
 * deadline passed. `stuck` is the member's cause when the rollout's pass already found it.
 */
export function memberReason(ctx: ReconcileContext, i: number, release: ReleaseRef, stuck?: Cause): string {
  switch (statusAt(ctx.members, i)) {
    case 'succeeded':
      return `runs ${release.name}`;
    case 'failed': {
      const update = ctx.seen.obs[i]?.update;
      const attempts = Math.max(1, update?.attempt ?? 1);
      return `failed ${attempts} ${attempts === 1 ? 'time' : 'times'}: ${update?.error ?? 'the agent reported no error'}`;
    }
    case 'stuck':
      return `${causeText(ctx, stuck ?? causeOf(ctx, i, release))}; stuck since ${toIso(timeOrNull(ctx.members.deadlineMs, i) ?? ctx.nowMs)}`;
    default:
      return wordCause(ctx, i, causeKind(ctx, i, release), release);
  }
}
