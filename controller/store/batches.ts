import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/** Rows deleted or updated per short transaction by the batch jobs. */
export const DEFAULT_BATCH_SIZE = 5000;

/**
 * Runs `step` (one short transaction touching at most `batchSize` rows, returning how many) until it
 * touches fewer than a full batch, yielding to the event loop between batches so check-ins interleave.
 */
export async function batched(batchSize: number, step: () => number | Promise<number>, onBatch?: (changed: number) => void): Promise<number> {
  checkBatchSize(batchSize);
  let total = 0;
  for (;;) {
    const changed = await step();
    total += changed;
    onBatch?.(changed);
    if (changed < batchSize) return total;
    await yieldToEventLoop();
  }
}

/** Throws a RangeError unless `batchSize` is a positive integer. */
export function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
}
