import { formatDuration } from '../../protocol/quantities.js';
import { sameVersion } from '../../protocol/versions.js';
import type { LocalState, Target } from '../state/local-state.js';

/** What the version file says runs now; null when unknown. */
export interface Running {
  agentVersion: string | null;
  imageVersion: string | null;
}

export interface DecideInput {
  state: LocalState;
  running: Running;
  now: number;
  /** End of the deferral window holding `now`, or null outside every window. */
  deferUntil: number | null;
  maxAttempts: number;
  /** How long after the install the version file may still show the old version. */
  rebootTimeoutMs: number;
}

/**
 * The agent's next step: a closed set. The executor branches on `kind` alone; `reason` is for the log.
 * `switch` makes `target` the release being worked on, discarding what was downloaded for `discard`.
 */
export type Step =
  | { kind: 'idle'; reason: string }
  | { kind: 'wait'; until: number; reason: string }
  | { kind: 'defer'; until: number }
  | { kind: 'switch'; target: Target | null; discard: Target | null }
  | { kind: 'succeed' }
  | { kind: 'download'; attempt: number }
  | { kind: 'verify' }
  | { kind: 'install' }
  | { kind: 'fail'; error: string };

/** Two targets are the same work when they name the same release with the same image. */
export function sameTarget(a: Target | null, b: Target | null): boolean {
  if (a === null || b === null) return a === b;
  return a.name === b.name && a.version === b.version && a.image.sha256 === b.image.sha256 && a.image.url === b.image.url;
}

/**
 * Decides the next step from the server's target, what runs, the local state, the deferral and
 * `now`. Pure: the same input always gives the same step; it never reads the clock or the disk.
 */
export function decide(input: DecideInput): Step {
  const { state, running } = input;
  const work = state.work;
  if (!sameTarget(work, state.serverTarget)) {
    const unfinished = work !== null && (state.phase === 'downloading' || state.phase === 'verifying');
    return { kind: 'switch', target: state.serverTarget, discard: unfinished ? work : null };
  }
  if (work === null) return { kind: 'idle', reason: 'no target' };
  // The controller's rule too: `v3.1.0` and `3.1.0` are one version, so neither side reinstalls it.
  if (sameVersion(running.agentVersion, work.version)) {
    return state.phase === 'succeeded' ? { kind: 'idle', reason: `runs ${work.version}` } : { kind: 'succeed' };
  }
  return decidePhase(input, work);
}

function decidePhase(input: DecideInput, work: Target): Step {
  const { state, running, now, deferUntil } = input;
  const deferred = deferUntil !== null && deferUntil > now;
  switch (state.phase) {
    case null:
      return deferred ? { kind: 'defer', until: deferUntil } : { kind: 'download', attempt: 1 };
    case 'downloading':
      return deferred ? { kind: 'defer', until: deferUntil } : { kind: 'download', attempt: Math.max(1, state.attempt) };
    case 'verifying':
      if (!state.verified) return { kind: 'verify' };
      return deferred ? { kind: 'defer', until: deferUntil } : { kind: 'install' };
    case 'installing':
      // Only seen after a restart: the install command was cut off before its exit code decided.
      return { kind: 'fail', error: 'install interrupted: the agent stopped while the install command ran' };
    case 'rebooting': {
      const deadline = (state.since ?? now) + input.rebootTimeoutMs;
      if (now < deadline) return { kind: 'wait', until: deadline, reason: `waiting for ${work.version} to run after the install` };
      const runs = running.agentVersion ?? 'an unknown version';
      return {
        kind: 'fail',
        error: `still running ${runs} ${formatDuration(input.rebootTimeoutMs)} after the install; expected ${work.version}`,
      };
    }
    case 'succeeded':
      return { kind: 'idle', reason: `succeeded with ${work.version} but runs ${running.agentVersion ?? 'an unknown version'}` };
    case 'failed':
      if (state.attempt >= input.maxAttempts) return { kind: 'idle', reason: `gave up after ${state.attempt} attempts` };
      if (state.nextAttemptAt !== null && state.nextAttemptAt > now) {
        return { kind: 'wait', until: state.nextAttemptAt, reason: `attempt ${state.attempt + 1} after backoff` };
      }
      return deferred ? { kind: 'defer', until: deferUntil } : { kind: 'download', attempt: state.attempt + 1 };
  }
}
