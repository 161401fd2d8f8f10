import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { PlanCounts } from '../api/metrics.js';
import type { CompactAnswers } from '../api/response-index.js';
import type { DesiredState } from '../desired/types.js';
import type { Action, Plan } from '../reconcile/plan.js';
import type { RevisionStatus } from '../sources/revision-tracker.js';
import { StoreUnavailableError } from '../store/store.js';
import { unpackPlan } from './packed-plan.js';
import type { CollectedHeap, PassReply, PassRequest, PassWorkerData, WorkerHeap, WorkerOutcome } from './pass-messages.js';
import { fleetHeapSizing, isOutOfMemory, workerLimits, type PassHeapSizing } from './pass-heap.js';
import type { PassNotify, PassOutcome } from './reconcile-pass.js';

/** A planned outcome from the worker: what the API's thread needs, computed there; the plan decoded on first read. */
export type WorkerPlanned = Extract<PassOutcome, { kind: 'planned' }> & {
  computed: { desired: DesiredState; answers: CompactAnswers; counts: PlanCounts; actions: Action[] };
};

/** Whether an outcome came from the worker with its answers and counts already computed. */
export function isWorkerPlanned(outcome: PassOutcome): outcome is WorkerPlanned {
  return outcome.kind === 'planned' && 'computed' in outcome;
}

export interface ThreadPassDeps {
  desired: DesiredState | null;
  sourceStatus: RevisionStatus;
  isLeader: boolean;
  log: Logger;
  expireBatch?: number;
  notify?: PassNotify;
  forecast?: boolean;
  /**
   * Told the worker's heap as each pass ends, then again once the worker has collected that pass's
   * garbage (a gauge: the controller's own heap metrics cover only its thread).
   */
  onHeap?: (heap: WorkerHeap) => void;
}

const WORKER_SCRIPT = new URL('./pass-worker.js', import.meta.url);
/** How long a closing worker may take to close its connections before it is stopped. */
const CLOSE_WAIT_MS = 5_000;
/** The most a worker's heap grows past its sizing after out-of-memory errors. */
const MAX_GROWTH = 64;

/** Whether the compiled worker module is there to run (it is not when the sources run without a build). */
export function passWorkerAvailable(): boolean {
  return existsSync(fileURLToPath(WORKER_SCRIPT));
}

/**
 * Runs reconcile passes on a worker thread with its own connections to `db`, one pass at a time.
 * The desired state crosses once per revision; each pass sends back the check-in answers, the
 * gauges' counts and the actions, and the plan as bytes. A worker that fails makes every pass in
 * flight fail (the loop retries) and is replaced by a new one on the next pass. The worker's heap
 * is limited by `heap`, sized from the fleet when it starts; a worker that runs out of it fails its
 * pass like any other, and the next one starts with twice the heap.
 */
export class PassThread {
  private worker: Worker | null = null;
  private sent: DesiredState | null = null;
  private nextId = 1;
  /** How many times the sizing the next worker gets: doubled by every out-of-memory. */
  private growth = 1;
  private readonly pending = new Map<number, { resolve: (reply: PassReply) => void; reject: (err: Error) => void }>();
  /** The latest pass's listener, told the heap the worker reports after its collection. */
  private onHeap: ((heap: WorkerHeap) => void) | undefined;

  /** `script` is the compiled worker module (`pass-worker.js` beside this one by default). */
  constructor(
    private readonly db: string,
    private readonly script: URL = WORKER_SCRIPT,
    private readonly heap: PassHeapSizing = fleetHeapSizing,
  ) {}

  /** The old generation limit (MB) the next worker starts with for `appliances`, or undefined when unlimited. */
  nextHeapMb(appliances: number): number | undefined {
    return workerLimits(this.heap, appliances, this.growth).maxOldGenerationSizeMb;
  }

  async run(deps: ThreadPassDeps, now: Date): Promise<PassOutcome> {
    const desired = deps.desired;
    if (!desired) return { kind: 'idle', reason: 'no valid desired state yet' };
    const worker = this.started(desired.appliances.length);
    const request: PassRequest = { id: this.nextId++, now: now.getTime(), sourceStatus: plainStatus(deps.sourceStatus), isLeader: deps.isLeader };
    if (deps.expireBatch !== undefined) request.expireBatch = deps.expireBatch;
    if (deps.forecast) request.forecast = true;
    if (deps.notify) request.notify = { findings: await deps.notify.findings(), context: deps.notify.context() };
    // Without its `objects` (the documents as loaded): the pass does not read them.
    if (desired !== this.sent) request.desired = { ...desired, objects: [] };
    try {
      const reply = await new Promise<PassReply>((resolve, reject) => {
        this.pending.set(request.id, { resolve, reject });
        worker.postMessage(request);
      });
      this.sent = desired;
      this.onHeap = deps.onHeap;
      deps.onHeap?.(reply.heap);
      for (const record of reply.logs) deps.log[levelName(record.level)](record.fields, record.msg);
      return outcomeOf(reply.outcome, desired);
    } catch (err) {
      return { kind: 'failed', error: err as Error };
    }
  }

  /** Closes the worker's connections and stops it (at once after CLOSE_WAIT_MS); passes in flight fail. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('close');
    // Real time on purpose: how long a thread gets to close its connections is no business of the
    // injected clock, and a test's clock that never moves must not leave a worker running.
    const timer = setTimeout(() => void worker.terminate(), CLOSE_WAIT_MS);
    await exited;
    clearTimeout(timer);
  }

  private started(appliances: number): Worker {
    if (this.worker) return this.worker;
    const resourceLimits = workerLimits(this.heap, appliances, this.growth);
    const worker = new Worker(this.script, { workerData: { db: this.db } satisfies PassWorkerData, resourceLimits });
    worker.on('message', (reply: PassReply | CollectedHeap) => {
      if ('collected' in reply) return this.onHeap?.(reply.collected);
      const waiting = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      waiting?.resolve(reply);
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = null;
      this.sent = null;
      for (const waiting of this.pending.values()) waiting.reject(err);
      this.pending.clear();
    };
    worker.on('error', (err) => {
      if (!isOutOfMemory(err)) return fail(err);
      this.growth = Math.min(this.growth * 2, MAX_GROWTH);
      fail(new Error(`the reconcile worker ran out of its ${resourceLimits.maxOldGenerationSizeMb ?? 'default'} MB heap; the next pass starts one with twice as much`));
    });
    worker.on('exit', (code) => fail(new Error(`the reconcile worker stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }
}

function outcomeOf(outcome: WorkerOutcome, desired: DesiredState): PassOutcome {
  switch (outcome.kind) {
    case 'idle':
    case 'conflict':
      return outcome;
    case 'unavailable':
    case 'failed': {
      const error = outcome.kind === 'unavailable' ? new StoreUnavailableError(outcome.message) : new Error(outcome.message);
      if (outcome.stack) error.stack = outcome.stack;
      return { kind: outcome.kind, error };
    }
    case 'planned': {
      let plan: Plan | null = null;
      const packed = outcome.packedPlan;
      const planned: WorkerPlanned = {
        kind: 'planned',
        applied: outcome.applied,
        expired: outcome.expired,
        proofs: outcome.proofs,
        computed: { desired, answers: outcome.answers, counts: outcome.counts, actions: outcome.actions },
        // Decoding 100,000 appliances' plan takes a while: only when asked (status routes, tests).
        get plan(): Plan {
          plan ??= unpackPlan(packed);
          return plan;
        },
      };
      return planned;
    }
  }
}

function plainStatus(status: RevisionStatus): RevisionStatus {
  return { lastAppliedRevision: status.lastAppliedRevision, lastAttemptedRevision: status.lastAttemptedRevision, errors: status.errors, at: status.at };
}

function levelName(level: number): 'error' | 'warn' | 'info' | 'debug' {
  return level >= 50 ? 'error' : level >= 40 ? 'warn' : level >= 30 ? 'info' : 'debug';
}
