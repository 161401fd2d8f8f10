import type { Rollout } from '../desired/types.js';
import type { LatchDecision } from './failure-policy.js';
import { isWindowOpen } from './window.js';

/** Why a member of the current cohort is not assigned yet. */
export type Hold = 'paused' | 'failures' | 'window' | 'maxConcurrent' | 'deferring' | 'budget';

/** Every hold, in a fixed order (their codes in the engine's columns are positions here). */
export const HOLDS: readonly Hold[] = ['paused', 'failures', 'window', 'maxConcurrent', 'deferring', 'budget'];

/**
 * The hold on a whole rollout, the first that applies: `paused` by its spec, `failures` while its
 * failure latch holds or trips, `window` while its window is closed at `nowMs`; else null.
 */
export function rolloutHold(spec: Pick<Rollout, 'window'>, decision: LatchDecision, nowMs: number): Hold | null {
  if (decision.kind === 'spec-paused') return 'paused';
  if (decision.kind === 'held' || decision.kind === 'tripped') return 'failures';
  if (spec.window && !isWindowOpen(spec.window, nowMs)) return 'window';
  return null;
}

/** What holdReason weighs for one appliance of the current cohort that the rollout may take. */
export interface HoldInput {
  /** The hold on the whole rollout (see rolloutHold), or null. */
  rolloutHold: Hold | null;
  /** The last `deferUntil` the appliance reported, or null. */
  deferUntilMs: number | null;
  nowMs: number;
  /** Whether it is final (succeeded or failed) the moment it is assigned: it runs the release already. */
  final: boolean;
  /** How many of the rollout's members are in flight before it. */
  inFlight: number;
  maxConcurrent: number | null;
  /** Whether assigning it would leave a group of a disruption budget over its maxUnavailable. */
  budgetBlocked: boolean;
}

/**
 * Why the appliance is not assigned now, the first that applies: the rollout's own hold; its
 * `deferUntil` still to come; `maxConcurrent` members already in flight; a disruption budget used
 * up. A final member adds nothing in flight, so neither of the last two holds it. Null: assign it.
 */
export function holdReason(input: HoldInput): Hold | null {
  if (input.rolloutHold !== null) return input.rolloutHold;
  if (input.deferUntilMs !== null && input.deferUntilMs > input.nowMs) return 'deferring';
  if (input.final) return null;
  if (input.maxConcurrent !== null && input.inFlight >= input.maxConcurrent) return 'maxConcurrent';
  if (input.budgetBlocked) return 'budget';
  return null;
}
