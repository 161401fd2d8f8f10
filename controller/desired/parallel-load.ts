import { sharedCheckPool, type CheckPool } from './check-pool.js';
import { assembleFleet, fleetFilesInOrder, loadFleetFiles } from './load.js';
import type { FleetFile } from './parse-documents.js';
import type { LoadResult } from './types.js';

/**
 * Below this much YAML a repository is loaded in the calling thread even when the workers are
 * running: copying the files to them and the results back would cost more than a second core saves.
 */
export const PARALLEL_MIN_BYTES = 128 * 1024;

/**
 * The same when the workers have yet to start: each loads the parser and compiles the schemas
 * first, and its code runs cold, which only a large repository repays (a one-shot `muster
 * validate`, or a controller's first revision).
 */
export const PARALLEL_MIN_BYTES_COLD = 1024 * 1024;

export interface ParallelLoadOptions {
  /** Repositories smaller than this (bytes of YAML) are loaded in the calling thread; by default `PARALLEL_MIN_BYTES` or `PARALLEL_MIN_BYTES_COLD`. */
  minBytes?: number;
  /** The pool to use; the process's shared pool by default. Null loads in the calling thread. */
  pool?: CheckPool | null;
}

/**
 * The pool `loadFleetFilesInParallel` would check `files` on, or null when it would load them in
 * the calling thread: a small repository (smaller still when the workers are already running),
 * a single core, no pool that works.
 */
export function parallelPoolFor(files: readonly FleetFile[], options: ParallelLoadOptions = {}): CheckPool | null {
  let bytes = 0;
  for (const file of files) bytes += file.content.length;
  if (bytes < (options.minBytes ?? PARALLEL_MIN_BYTES)) return null;
  const pool = options.pool === undefined ? sharedCheckPool() : options.pool;
  if (!pool?.usable) return null;
  return bytes >= (options.minBytes ?? (pool.started ? PARALLEL_MIN_BYTES : PARALLEL_MIN_BYTES_COLD)) ? pool : null;
}

/**
 * Loads a fleet repository like `loadFleetFiles`, with the same result — the same errors at the
 * same places in the same order, the same desired state — but checks the files of a large
 * repository on worker threads, one per core, leaving the calling thread free until the rules
 * across documents run. A small repository, a single core, or a worker that fails: the load runs
 * in the calling thread instead. Never rejects on bad input.
 */
export async function loadFleetFilesInParallel(files: readonly FleetFile[], revision: string, options: ParallelLoadOptions = {}): Promise<LoadResult> {
  const ordered = fleetFilesInOrder(files);
  const pool = parallelPoolFor(ordered, options);
  if (pool) {
    const checked = await pool.check(ordered).catch(() => null);
    if (checked) return assembleFleet(checked, revision);
  }
  return loadFleetFiles(ordered, revision);
}
