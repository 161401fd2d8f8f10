import type { UpdatePhase, CheckinRequest } from '../../protocol/checkin-request.js';
import type { CheckinOutcome } from '../protocol/checkin-client.js';
import type { PruneResult } from '../retention/prune.js';
import type { Step } from '../update/decide.js';

/** What an agent did, as it happens: logged by the CLI, counted by the simulator, awaited by tests. */
export type AgentEvent =
  | { type: 'checkin'; at: number; report: CheckinRequest; outcome: CheckinOutcome; nextInMs: number }
  | { type: 'step'; at: number; step: Step }
  | { type: 'phase'; at: number; release: string; phase: UpdatePhase; attempt: number; error: string | null }
  | { type: 'progress'; at: number; release: string; bytes: number; total: number | null }
  | { type: 'prune'; at: number; policyHash: string; result: PruneResult }
  | { type: 'retention-error'; at: number; message: string };
