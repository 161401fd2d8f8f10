import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { batched } from './batches.js';
import type { BatchListener } from './store.js';

/**
 * The trailing half of proof expiry. `expireProofs` only records a cutoff, which every reader applies
 * at once; the rows behind it are still stored as `pending` until this rewrites them to `expired`, in
 * short batches, off the caller's path. Readers see the same before and after: the rewrite only keeps
 * the pending indexes small and the stored status truthful.
 *
 * One run at a time per store object. A run asked for while one is going makes that run go round once
 * more when it ends (the cutoff may have moved past rows its last batch no longer looked at).
 */
export class ExpiryRewrite {
  private running: Promise<number> | null = null;
  private again = false;
  private stopped = false;

  /** `step` rewrites at most `batchSize` rows in one short transaction and returns how many. */
  constructor(private readonly step: (batchSize: number) => number | Promise<number>) {}

  /**
   * Rewrites until no row is left behind the cutoff and resolves with how many rows this run
   * rewrote; joins the run in progress if there is one. Resolves with what was done so far once
   * stopped.
   */
  run(batchSize: number, onBatch?: BatchListener): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = this.loop(batchSize, onBatch).finally(() => (this.running = null));
    this.running = run;
    return run;
  }

  /**
   * Starts a run in the background. A failure (the database went away) is dropped: the rows stay
   * behind the cutoff, which readers apply anyway, and the next expiry starts the rewrite again.
   */
  start(batchSize: number, onBatch?: BatchListener): void {
    this.run(batchSize, onBatch).catch(() => undefined);
  }

  /** Stops after the batch in flight and waits for it; no run starts afterwards. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running?.catch(() => undefined);
  }

  private async loop(batchSize: number, onBatch?: BatchListener): Promise<number> {
    // Never inside the caller's turn: expireProofs resolves before the first batch runs.
    await yieldToEventLoop();
    let total = 0;
    do {
      this.again = false;
      total += await batched(batchSize, () => (this.stopped ? 0 : this.step(batchSize)), (n) => n > 0 && onBatch?.(n));
    } while (this.again && !this.stopped);
    return total;
  }
}
