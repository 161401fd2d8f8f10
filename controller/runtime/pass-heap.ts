import type { ResourceLimits } from 'node:worker_threads';

/**
 * The reconcile worker's heap, sized from the fleet. Without limits V8 sizes a worker's heap as if
 * it were the only isolate of the process (from the machine's memory), and lets it grow far past
 * what a pass keeps alive; with them, the worker collects sooner and the process stays smaller.
 */
export interface PassHeapSizing {
  /** Old generation limit in MB for a fleet of `appliances`; null to leave V8's default. */
  oldGenerationMb(appliances: number): number | null;
  /** Young generation limit in MB; null to leave V8's default. */
  youngGenerationMb: number | null;
}

/** What any worker needs before its first pass: the code, the store's driver, the pure core. */
const BASE_OLD_MB = 160;
/**
 * Per thousand appliances: twice what a pass holds alive at its peak (desired and observed state,
 * the core's caches, the plan and its JSON: about 300 MB at 100,000 appliances, see
 * docs/BENCHMARKS.md). Twice, because the limit is a ceiling against runaway growth, not a squeeze:
 * V8 can end the whole process, not only the worker, when the limit is reached inside a native
 * call (a database driver binding a string), so a pass must never come near it.
 */
const OLD_MB_PER_THOUSAND = 6;
/** A small young generation: a pass allocates steadily, and a larger nursery is mostly RSS. */
const YOUNG_MB = 16;

/** The default sizing: a base plus a share per appliance, a 16 MB young generation. */
export const fleetHeapSizing: PassHeapSizing = {
  oldGenerationMb: (appliances) => Math.ceil(BASE_OLD_MB + (OLD_MB_PER_THOUSAND * appliances) / 1000),
  youngGenerationMb: YOUNG_MB,
};

/** No limits: V8's own sizing (the behaviour before limits existed). */
export const unlimitedHeap: PassHeapSizing = { oldGenerationMb: () => null, youngGenerationMb: null };

/**
 * The limits a new worker starts with: the sizing for `appliances`, times `growth` (doubled after
 * each out-of-memory, so a fleet that outgrew the estimate gets a worker that fits).
 */
export function workerLimits(sizing: PassHeapSizing, appliances: number, growth: number): ResourceLimits {
  const limits: ResourceLimits = {};
  const old = sizing.oldGenerationMb(appliances);
  if (old !== null) limits.maxOldGenerationSizeMb = Math.ceil(old * growth);
  if (sizing.youngGenerationMb !== null) limits.maxYoungGenerationSizeMb = sizing.youngGenerationMb;
  return limits;
}

/** Whether a worker's error is V8 running out of the heap the limits allowed. */
export function isOutOfMemory(err: Error): boolean {
  return (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
}
