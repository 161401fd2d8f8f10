import type { Action } from '../reconcile/plan.js';

/** One line for a person per action, shared by the text and markdown formats. */
export function describeAction(a: Action): string {
  switch (a.type) {
    case 'AssignRelease': {
      const from = a.previous ? `, replacing ${a.previous.release}` : '';
      return `assign ${a.release} to ${a.appliance} (rollout ${a.rollout}${from})${a.downgrade ? ': a downgrade' : ''}`;
    }
    case 'WithdrawRelease': {
      const back = a.restores === undefined ? '' : `: back to ${a.restores ? `${a.restores.release} (rollout ${a.restores.rollout})` : 'no target'}`;
      return `withdraw rollout ${a.rollout} from ${a.appliance}${back}`;
    }
    case 'AdvanceStage':
      return `advance ${a.rollout} from stage ${a.from} to ${a.to} (started ${a.startedAt})`;
    case 'SetPhase': {
      const latch = a.latch ? ' and latch it until the rollout changes' : a.latch === null ? ' and release its failure latch' : '';
      return a.from === null ? `start ${a.rollout} at stage 1 (${a.phase})` : `set ${a.rollout} ${a.from} → ${a.phase}${latch}`;
    }
    case 'ExpireProofs':
      return `expire ${a.count} pending OTS proofs created before ${a.olderThan}`;
  }
}
