import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { loadFleetFilesInParallel, parallelPoolFor, type ParallelLoadOptions } from './parallel-load.js';
import type { FleetFile } from './parse-documents.js';
import { shareRepeatedStrings } from './shared-strings.js';
import type { LoadResult } from './types.js';

/** What the load worker is started with. */
export interface IsolatedLoadRequest {
  files: readonly FleetFile[];
  revision: string;
}

/** The load worker's one answer. */
export type IsolatedLoadReply = { result: LoadResult } | { error: string };

const LOAD_WORKER = new URL('./load-worker.js', import.meta.url);

/**
 * Loads a fleet repository like `loadFleetFilesInParallel`, with the same result, but a large one
 * on a worker thread of its own that ends once it has answered: the calling thread receives the
 * result only, never the garbage of the load (about 500 MB at 100,000 appliances, which V8 would
 * otherwise keep as resident memory long after collecting it). A repository that would load in
 * the calling thread anyway, a missing worker module (the sources run without a build), or a
 * worker that fails: loaded as `loadFleetFilesInParallel` would. Never rejects on bad input.
 */
export async function loadFleetFilesIsolated(files: readonly FleetFile[], revision: string, options: ParallelLoadOptions = {}): Promise<LoadResult> {
  if (parallelPoolFor(files, options) === null || !existsSync(fileURLToPath(LOAD_WORKER))) return loadFleetFilesInParallel(files, revision, options);
  const reply = await loadOnWorker({ files, revision }).catch((err: unknown): IsolatedLoadReply => ({ error: String(err) }));
  if (!('result' in reply)) return loadFleetFilesInParallel(files, revision, options);
  // The result crossed as a structured clone: every label value, name, kind and file name a string of its own until shared.
  if (reply.result.ok) shareRepeatedStrings(reply.result.state);
  return reply.result;
}

/** One load on a new load worker: its answer, or a rejection when the worker failed before answering. */
export function loadOnWorker(request: IsolatedLoadRequest): Promise<IsolatedLoadReply> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(LOAD_WORKER, { workerData: request });
    worker.once('message', (reply: IsolatedLoadReply) => resolve(reply));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the load worker stopped before answering (exit code ${code})`)));
  });
}
