import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CheckedFile } from './check-file.js';
import type { FleetFile } from './parse-documents.js';

/** A batch of files for a worker to check. */
export interface CheckRequest {
  batch: number;
  files: FleetFile[];
}

/** A worker's answer: the checked files of a batch, in the order sent, or why it could not check them. */
export type CheckReply = { batch: number; results: CheckedFile[] } | { batch: number; error: string };

interface Job {
  results: CheckedFile[];
  remaining: number;
  resolve: (results: CheckedFile[]) => void;
  reject: (err: Error) => void;
}

interface Batch {
  id: number;
  job: Job;
  /** Index of the batch's first file in the job's files. */
  first: number;
  files: FleetFile[];
}

// Enough batches per worker that the last one to finish is a small share of the whole.
const BATCHES_PER_WORKER = 8;
// Below this a batch's own messaging costs more than the balance it buys.
const MIN_BATCH_BYTES = 32 * 1024;

/**
 * A few worker threads that check fleet files (`checkFleetFile`) in parallel. Files are cut into
 * batches of similar size, in path order, and handed to whichever worker is free, so a slow batch
 * never holds the others back. Workers start on first use and stay for the next load; they keep
 * the process alive only while they have work. Any failure of a worker rejects the loads that
 * were using the pool, which is then closed: its callers fall back to checking in their own thread.
 */
export class CheckPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Batch[] = [];
  private readonly inFlight = new Map<Worker, Batch>();
  private nextBatch = 1;
  private failure: Error | null = null;

  /**
   * `size` workers running `script`, the compiled worker module (`check-worker.js`).
   */
  constructor(
    readonly size: number,
    readonly script: URL,
  ) {}

  /** Whether its workers are running (warm), so a load pays no start-up. */
  get started(): boolean {
    return this.workers.length > 0 && this.failure === null;
  }

  /** Whether the pool can still take work: no worker has failed and it was not closed. */
  get usable(): boolean {
    return this.failure === null;
  }

  /** The checked files, in the order given; rejects when a worker fails or the pool is closed. */
  check(files: readonly FleetFile[]): Promise<CheckedFile[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (files.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const job: Job = { results: new Array<CheckedFile>(files.length), remaining: 0, resolve, reject };
      for (const [first, batch] of batches(files, this.size * BATCHES_PER_WORKER)) {
        job.remaining += 1;
        this.queue.push({ id: this.nextBatch++, job, first, files: batch });
      }
      this.startWorkers();
      this.dispatch();
    });
  }

  /**
   * Stops the workers if no load is using them; the next load starts new ones. What a worker's heap
   * grew to while it parsed a large repository (hundreds of MB at 100,000 appliances) goes back to
   * the system with it, at the cost of starting the workers again for the next load.
   */
  async release(): Promise<void> {
    if (this.queue.length > 0 || this.inFlight.size > 0) return;
    const stopping = this.workers.splice(0);
    this.idle.length = 0;
    await Promise.all(
      stopping.map((worker) => {
        // Not a failure of the pool: its listeners go before it stops.
        worker.removeAllListeners();
        return worker.terminate();
      }),
    );
  }

  /** Stops the workers; loads still waiting on them are rejected. */
  async close(): Promise<void> {
    this.fail(new Error('the check pool was closed'));
    await Promise.all(this.workers.map((worker) => worker.terminate()));
    this.workers.length = 0;
    this.idle.length = 0;
  }

  private startWorkers(): void {
    while (this.workers.length < this.size) {
      const worker = new Worker(this.script);
      worker.on('message', (reply: CheckReply) => this.settle(worker, reply));
      worker.on('error', (err) => this.fail(err));
      worker.on('exit', (code) => this.fail(new Error(`a check worker stopped (exit code ${code})`)));
      // After the listeners: adding a 'message' listener references the worker again.
      worker.unref();
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop() as Worker;
      const batch = this.queue.shift() as Batch;
      this.inFlight.set(worker, batch);
      // Referenced only while it works: an idle pool never keeps the process from exiting.
      worker.ref();
      const request: CheckRequest = { batch: batch.id, files: batch.files };
      worker.postMessage(request);
    }
  }

  private settle(worker: Worker, reply: CheckReply): void {
    const batch = this.inFlight.get(worker);
    if (!batch || batch.id !== reply.batch) return;
    this.inFlight.delete(worker);
    worker.unref();
    this.idle.push(worker);
    if ('error' in reply) {
      this.fail(new Error(`a check worker failed: ${reply.error}`));
      return;
    }
    const { job } = batch;
    reply.results.forEach((result, i) => (job.results[batch.first + i] = result));
    job.remaining -= 1;
    if (job.remaining === 0) job.resolve(job.results);
    this.dispatch();
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    const jobs = new Set([...this.queue, ...this.inFlight.values()].map((batch) => batch.job));
    this.queue.length = 0;
    this.inFlight.clear();
    for (const job of jobs) job.reject(err);
    for (const worker of this.workers) {
      worker.unref();
      void worker.terminate();
    }
  }
}

/** `files` cut into about `count` runs of consecutive files of similar total size, each with its first index. */
export function batches(files: readonly FleetFile[], count: number): [number, FleetFile[]][] {
  const total = files.reduce((sum, file) => sum + file.content.length, 0);
  const target = Math.max(MIN_BATCH_BYTES, Math.ceil(total / Math.max(1, count)));
  const out: [number, FleetFile[]][] = [];
  let current: FleetFile[] = [];
  let first = 0;
  let bytes = 0;
  files.forEach((file, i) => {
    if (current.length > 0 && bytes + file.content.length > target) {
      out.push([first, current]);
      current = [];
      first = i;
      bytes = 0;
    }
    current.push(file);
    bytes += file.content.length;
  });
  if (current.length > 0) out.push([first, current]);
  return out;
}

// Past a handful of threads the checks across documents, in one thread, dominate anyway.
const MAX_WORKERS = 4;
const WORKER_SCRIPT = new URL('./check-worker.js', import.meta.url);

let shared: CheckPool | null | undefined;

/**
 * The process's pool, started on first use: one worker per core (at most four). Null when there is
 * a single core, when the worker module is not there to run (the sources run without a build), or
 * once a worker of the pool has failed: loading then stays in the calling thread.
 */
export function sharedCheckPool(): CheckPool | null {
  if (shared === undefined) {
    const cores = availableParallelism();
    const runnable = existsSync(fileURLToPath(WORKER_SCRIPT));
    shared = cores > 1 && runnable ? new CheckPool(Math.min(cores, MAX_WORKERS), WORKER_SCRIPT) : null;
  }
  if (shared && !shared.usable) shared = null;
  return shared;
}

/** Stops the process's pool, if it was started; a later load starts a new one. */
export async function closeSharedCheckPool(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.close();
}
