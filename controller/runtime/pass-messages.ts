import type { CompactAnswers } from '../api/response-index.js';
import type { PlanCounts } from '../api/metrics.js';
import type { DesiredState } from '../desired/types.js';
import type { NotifyContext } from '../notify/events.js';
import type { ProofCounts } from '../observed/state-schema.js';
import type { Action, Finding } from '../reconcile/plan.js';
import type { RevisionStatus } from '../sources/revision-tracker.js';

/** What the reconcile worker is started with: the database it opens its own connections to. */
export interface PassWorkerData {
  db: string;
}

/** One pass asked of the worker; `desired` only when it changed since the last pass sent. */
export interface PassRequest {
  id: number;
  now: number;
  desired?: DesiredState;
  sourceStatus: RevisionStatus;
  isLeader: boolean;
  expireBatch?: number;
  /** The notifiers' own findings and what the outbox writes need, worked out on the controller's thread. */
  notify?: { findings: Finding[]; context: NotifyContext };
  forecast?: boolean;
}

/** A log record the pass wrote in the worker, replayed on the controller's logger. */
export interface PassLogRecord {
  level: number;
  msg: string;
  fields: Record<string, unknown>;
}

/**
 * A pass's outcome as it crosses back: for a plan, only what the API's thread needs at once (the
 * check-in answers, the gauges' counts, the actions) and the whole plan packed (V8's serialization,
 * compressed: see packed-plan.ts), unpacked only when someone reads it (the status routes).
 */
export type WorkerOutcome =
  | { kind: 'idle'; reason: string }
  | {
      kind: 'planned';
      applied: boolean;
      expired: number;
      proofs: ProofCounts;
      actions: Action[];
      counts: PlanCounts;
      answers: CompactAnswers;
      /** The whole plan, packed (see packed-plan.ts). */
      packedPlan: Uint8Array;
    }
  | { kind: 'conflict' }
  | { kind: 'unavailable' | 'failed'; message: string; stack: string | undefined };

/** The worker's V8 heap, bytes: in use (live and not yet collected) and committed; as a pass ended, or after its collection. */
export interface WorkerHeap {
  usedBytes: number;
  committedBytes: number;
}

export interface PassReply {
  id: number;
  outcome: WorkerOutcome;
  logs: PassLogRecord[];
  heap: WorkerHeap;
}

/** Sent after a pass's reply, once the worker has collected the pass's garbage: its heap between passes. */
export interface CollectedHeap {
  collected: WorkerHeap;
}
