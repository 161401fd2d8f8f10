import type { RolloutPhase } from '../observed/state-schema.js';
import { latchedPhase, type LatchDecision } from './failure-policy.js';

export interface PhaseInput {
  decision: LatchDecision;
  /** Any eligible or assigned appliance at all, claimed or not. */
  anyMember: boolean;
  /** Any member that no higher-ranked rollout claimed: one it holds, or an eligible one it may still take. */
  anyNotClaimedByNewer: boolean;
  observedPhase: RolloutPhase | null;
  anyStuck: boolean;
  /** The last stage is the current one and it completed. */
  lastStageComplete: boolean;
  targeted: number;
}

/**
 * The rollout's phase, the first that applies: Paused (spec), Paused/Aborted (failures), Superseded
 * (not complete and no unclaimed member left), Stalled (a member is stuck), Complete (last stage
 * complete), Pending (nothing assigned), Progressing. A rollout that had completed before newer ones
 * claimed all its members stays Complete.
 */
export function decidePhase(input: PhaseInput): RolloutPhase {
  if (input.decision.kind === 'spec-paused') return 'Paused';
  const latched = latchedPhase(input.decision);
  if (latched) return latched;
  if (input.anyMember && !input.anyNotClaimedByNewer) return input.observedPhase === 'Complete' ? 'Complete' : 'Superseded';
  if (input.anyStuck) return 'Stalled';
  if (input.lastStageComplete) return 'Complete';
  if (input.targeted === 0) return 'Pending';
  return 'Progressing';
}
