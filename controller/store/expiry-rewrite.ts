import { setImmediate as yieldToEventLoop, setTimeout as sleep } from 'node:timers/promises';
import { failpoint } from '../failpoints.js';
import { checkBatchSize } from './batches.js';
import type { BatchListener } from './store.js';

/**
 * After each batch the rewrite rests this many times as long as the batch took, so it takes at most a
 * quarter of the time. Nothing waits for it (readers apply the cutoff already), and on two cores a
 * million rows rewritten back to back held check-in p99 at 2.7× its idle value (resting as long as
 * each batch: 2.2×; three times as long: 1.3×, the rewrite taking 100 s instead of 25).
 */
export const REWRITE_REST_RATIO = 3;

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
  private readonly stopping = new AbortController();

  /** `step` rewrites at most `batchSize` rows in one short transaction and returns how many. */
  constructor(
    private readonly step: (batchSize: number) => number | Promise<number>,
    private readonly restRatio = REWRITE_REST_RATIO,
  ) {}

  /**
   * Rewrites until no row is left behind the cutoff and resolves with how many rows this run
   * rewrote; joins the run in progress if there is one. Resolves with what was done so far once
   * stopped.
   */
  run(batchSize: number, onBatch?: BatchListener): Promise<number> {
    checkBatchSize(batchSize);
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
    this.stopping.abort();
    await this.running?.catch(() => undefined);
  }

  private get stopped(): boolean {
    return this.stopping.signal.aborted;
  }

  private async loop(batchSize: number, onBatch?: BatchListener): Promise<number> {
    // Never inside the caller's turn: expireProofs resolves before the first batch runs.
    await yieldToEventLoop();
    let total = 0;
    do {
      this.again = false;
      for (let full = true; full && !this.stopped; ) {
        const started = performance.now();
        const changed = await this.step(batchSize);
        total += changed;
        if (changed > 0) onBatch?.(changed);
        full = changed >= batchSize;
        if (!full) continue;
        failpoint('proof-expiry-batch');
        await this.rest(performance.now() - started);
      }
    } while (this.again && !this.stopped);
    return total;
  }

  private async rest(workedMs: number): Promise<void> {
    await sleep(workedMs * this.restRatio, undefined, { signal: this.stopping.signal }).catch(() => undefined);
  }
}
