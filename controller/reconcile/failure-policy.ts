import type { Rollout } from '../desired/types.js';
import type { RolloutObservation } from '../observed/state-schema.js';
import { toMs } from './time.js';
import type { LatchSet } from './plan.js';

/**
 * What the failure policy and `paused` make of a rollout in this pass:
 * - `spec-paused`: the spec says paused; phase Paused, no latch (a latch from an older spec is released).
 * - `held`: a latch set under this very spec holds the phase until a commit changes the spec.
 * - `tripped`: more failed members than `maxFailures`; the plan latches Paused or Aborted.
 * - `active`: the rollout proceeds (a latch from an older spec, if any, is released).
 */
export type LatchDecision =
  | { kind: 'spec-paused'; release: boolean }
  | { kind: 'held'; phase: 'Paused' | 'Aborted'; sinceMs: number }
  | { kind: 'tripped'; phase: 'Paused' | 'Aborted'; sinceMs: number }
  | { kind: 'active'; release: boolean };

/**
 * Decides the latch from the times the failed members failed. A latch is re-evaluated with the new spec as soon as the desired rollout's
 * specHash differs from the one that tripped it; a tripped latch dates from the failure that
 * crossed `maxFailures`.
 */
export function decideLatch(spec: Rollout, observed: RolloutObservation | null, failedAtMs: readonly number[]): LatchDecision {
  const latch = observed?.latch ?? null;
  const sameSpec = latch !== null && latch.specHash === spec.specHash;
  if (spec.paused) return { kind: 'spec-paused', release: latch !== null && !sameSpec };
  if (latch && sameSpec) return { kind: 'held', phase: latch.phase, sinceMs: toMs(latch.at) ?? 0 };
  if (failedAtMs.length > spec.failurePolicy.maxFailures) {
    const sinceMs = [...failedAtMs].sort((a, b) => a - b)[spec.failurePolicy.maxFailures] ?? 0;
    return { kind: 'tripped', phase: spec.failurePolicy.action === 'abort' ? 'Aborted' : 'Paused', sinceMs };
  }
  return { kind: 'active', release: latch !== null };
}

/** The SetPhase `latch` field the decision calls for: `{phase, specHash}` to set, null to release, undefined to keep. */
export function latchField(decision: LatchDecision, spec: Rollout): LatchSet | null | undefined {
  if (decision.kind === 'tripped') return { phase: decision.phase, specHash: spec.specHash };
  if ((decision.kind === 'active' || decision.kind === 'spec-paused') && decision.release) return null;
  return undefined;
}

/** Whether the decision stops the rollout from assigning and advancing. */
export function isStopped(decision: LatchDecision): boolean {
  return decision.kind !== 'active';
}

/** The latched phase (Paused or Aborted from failures), or null. */
export function latchedPhase(decision: LatchDecision): 'Paused' | 'Aborted' | null {
  return decision.kind === 'held' || decision.kind === 'tripped' ? decision.phase : null;
}
