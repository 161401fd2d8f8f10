import { sharedCheckPool, type CheckPool } from './check-pool.js';
import { assembleFleet, fleetFilesInOrder, loadFleetFiles } from './load.js';
import type { FleetFile } from './parse-documents.js';
import type { LoadResult } from './types.js';

/**
 * Below this much YAML a repository is loaded in the calling thread: copying the files to the
 * workers and the results back would cost more than a second core saves.
 */
export const PARALLEL_MIN_BYTES = 128 * 1024;

export interface ParallelLoadOptions {
  /** Repositories smaller than this (bytes of YAML) are loaded in the calling thread; `PARALLEL_MIN_BYTES` by default. */
  minBytes?: number;
  /** The pool to use; the process's shared pool by default. Null loads in the calling thread. */
  pool?: CheckPool | null;
  /**
   * Whether this load may start the workers, or only use them when they already run. Worth it in
   * a process that loads revision after revision (the controller). Not in a one-shot command:
   * each worker loads the parser, compiles the schemas and warms up its code on its own, about
   * half a second of CPU per worker that a single load does not win back on a busy machine.
   */
  startWorkers?: boolean;
  /**
   * Whether the workers stop once the load is checked (`CheckPool.release`) rather than staying warm
   * for the next load: a long-running process that loads rarely keeps its memory small this way.
   */
  releaseWorkers?: boolean;
}

/**
 * The pool `loadFleetFilesInParallel` would check `files` on, or null when it would load them in
 * the calling thread: a small repository, workers not running and not to be started, a single
 * core, no pool that works.
 */
export function parallelPoolFor(files: readonly FleetFile[], options: ParallelLoadOptions = {}): CheckPool | null {
  let bytes = 0;
  for (const file of files) bytes += file.content.length;
  if (bytes < (options.minBytes ?? PARALLEL_MIN_BYTES)) return null;
  const pool = options.pool === undefined ? sharedCheckPool() : options.pool;
  if (!pool?.usable) return null;
  return pool.started || options.startWorkers ? pool : null;
}

/**
 * Loads a fleet repository like `loadFleetFiles`, with the same result — the same errors at the
 * same places in the same order, the same desired state — but checks the files of a large
 * repository on worker threads, one per core, leaving the calling thread free until the rules
 * across documents run. A small repository, workers not running (unless `startWorkers`), a
 * single core, or a worker that fails: the load runs in the calling thread instead. Never
 * rejects on bad input.
 */
export async function loadFleetFilesInParallel(files: readonly FleetFile[], revision: string, options: ParallelLoadOptions = {}): Promise<LoadResult> {
  const ordered = fleetFilesInOrder(files);
  const pool = parallelPoolFor(ordered, options);
  if (pool) {
    const checked = await pool.check(ordered).catch(() => null);
    if (options.releaseWorkers) void pool.release();
    if (checked) return assembleFleet(checked, revision);
  }
  return loadFleetFiles(ordered, revision);
}
