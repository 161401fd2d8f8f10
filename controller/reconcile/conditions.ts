import type { Condition, RolloutPhase } from '../observed/state-schema.js';
import type { LatchDecision } from './failure-policy.js';

type Status = Condition['status'];

export interface ConditionInput {
  phase: RolloutPhase;
  decision: LatchDecision;
  /** Why a Pending rollout waits, as a CamelCase reason. */
  pendingReason: string;
  message: string;
  observed: readonly Condition[] | undefined;
  nowIso: string;
}

/**
 * The rollout's Kubernetes-style conditions, always `Ready`, `Reconciling` and `Stalled` in that
 * order. `Ready` is True only when Complete; `Reconciling` while it progresses or waits to start;
 * `Stalled` when it needs a person: a stuck member, or failures past `maxFailures`. Each keeps the
 * observed `lastTransitionTime` while its status does not change.
 */
export function rolloutConditions(input: ConditionInput): Condition[] {
  const [ready, reconciling, stalled] = table(input);
  return [
    condition('Ready', ready[0], ready[1], input),
    condition('Reconciling', reconciling[0], reconciling[1], input),
    condition('Stalled', stalled[0], stalled[1], input),
  ];
}

type Row = [Status, string];

function table(input: ConditionInput): [Row, Row, Row] {
  const failures = input.decision.kind === 'held' || input.decision.kind === 'tripped';
  switch (input.phase) {
    case 'Complete':
      return [['True', 'Complete'], ['False', 'Complete'], ['False', 'Complete']];
    case 'Progressing':
      return [['False', 'Progressing'], ['True', 'Progressing'], ['False', 'Progressing']];
    case 'Pending':
      return [['False', input.pendingReason], ['True', input.pendingReason], ['False', input.pendingReason]];
    case 'Stalled':
      return [['False', 'AppliancesStuck'], ['False', 'AppliancesStuck'], ['True', 'AppliancesStuck']];
    case 'Superseded':
      return [['False', 'Superseded'], ['False', 'Superseded'], ['False', 'Superseded']];
    case 'Removed':
      return [['False', 'Removed'], ['False', 'Removed'], ['False', 'Removed']];
    case 'Aborted':
      return [['False', 'FailureThresholdExceeded'], ['False', 'FailureThresholdExceeded'], ['True', 'FailureThresholdExceeded']];
    case 'Paused':
      return failures
        ? [['False', 'FailureThresholdExceeded'], ['False', 'FailureThresholdExceeded'], ['True', 'FailureThresholdExceeded']]
        : [['False', 'PausedBySpec'], ['False', 'PausedBySpec'], ['False', 'PausedBySpec']];
  }
}

function condition(type: string, status: Status, reason: string, input: ConditionInput): Condition {
  const before = input.observed?.find((c) => c.type === type);
  const lastTransitionTime = before && before.status === status ? before.lastTransitionTime : input.nowIso;
  return { type, status, reason, message: input.message, lastTransitionTime };
}
