import type { MemberEval } from './appliance-status.js';
import type { ReleaseRef, Seen } from './context.js';
import { toIso } from './time.js';

/** Why an assigned appliance has not finished, in the precedence DESIGN.md gives. */
export type CauseKind = 'offline' | 'never-checked-in' | 'deferring' | 'in-phase' | 'not-acknowledged';

export interface Cause {
  kind: CauseKind;
  /** The whole explanation, for an appliance's reason. */
  text: string;
  /** A few words, for a rollout message that lists several appliances. */
  short: string;
}

/**
 * What keeps an unfinished member from its release, built from what was observed; the first that
 * applies of: offline since T, never checked in since assignment, deferring until T, in phase P
 * since T, checked in since assignment but never acknowledged the target.
 */
export function causeOf(member: MemberEval, release: ReleaseRef, seen: Seen | undefined, nowMs: number): Cause {
  const assigned = toIso(member.assignedAtMs);
  if (!seen) {
    return { kind: 'never-checked-in', text: `never checked in (assigned ${release.name} at ${assigned})`, short: 'never checked in' };
  }
  const last = toIso(seen.lastCheckinMs);
  if (seen.offlineSinceMs !== null) {
    const since = toIso(seen.offlineSinceMs);
    return { kind: 'offline', text: `offline since ${since} (last check-in ${last})`, short: `offline since ${since}` };
  }
  if (seen.lastCheckinMs < member.assignedAtMs) {
    return {
      kind: 'never-checked-in',
      text: `never checked in since assignment of ${release.name} at ${assigned} (last check-in ${last})`,
      short: 'never checked in since assignment',
    };
  }
  if (seen.deferUntilMs !== null && seen.deferUntilMs > nowMs) {
    const until = toIso(seen.deferUntilMs);
    return { kind: 'deferring', text: `deferring updates until ${until}`, short: `deferring until ${until}` };
  }
  const update = seen.obs.update;
  if (update && update.release === release.name && update.phase !== 'succeeded' && update.phase !== 'failed') {
    const since = seen.updateSinceMs !== null ? toIso(seen.updateSinceMs) : 'an unknown time';
    const attempt = update.attempt > 1 ? `, attempt ${update.attempt}` : '';
    return { kind: 'in-phase', text: `in phase ${update.phase} since ${since}${attempt}`, short: `${update.phase} since ${since}` };
  }
  return {
    kind: 'not-acknowledged',
    text: `checked in since assignment of ${release.name} at ${assigned} (last at ${last}) but never acknowledged it`,
    short: 'never acknowledged',
  };
}

/**
 * The reason shown beside an assigned appliance's status: what it runs when it succeeded, its
 * attempts and the agent's last error when it failed, otherwise its cause — and for a stuck one,
 * when its deadline passed.
 */
export function memberReason(member: MemberEval, release: ReleaseRef, seen: Seen | undefined, nowMs: number): string {
  switch (member.status) {
    case 'succeeded':
      return `runs ${release.name} (since ${toIso(member.finalAtMs ?? member.assignedAtMs)})`;
    case 'failed': {
      const update = seen?.obs.update;
      const attempts = Math.max(1, update?.attempt ?? 1);
      return `failed ${attempts} ${attempts === 1 ? 'time' : 'times'}: ${update?.error ?? 'the agent reported no error'}`;
    }
    case 'stuck':
      return `${causeOf(member, release, seen, nowMs).text}; stuck since ${toIso(member.deadlineMs ?? nowMs)}`;
    default:
      return causeOf(member, release, seen, nowMs).text;
  }
}
