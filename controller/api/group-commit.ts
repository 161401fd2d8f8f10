import { backgroundClock, type Clock, type TimerHandle } from '../../lib/clock.js';

/** Options for a group committer. */
export interface GroupCommitOptions {
  /** Most items written in one commit. */
  maxBatch: number;
  /**
   * How long the first item of a batch may wait for company before the batch is written. 0: until the
   * end of the event loop's current turn (`setImmediate`), so every request already read joins it.
   */
  maxDelayMs: number;
  /**
   * Commits in flight at once (default 1). PostgreSQL flushes the log of concurrent commits together,
   * so a few overlapping commits multiply the rate; SQLite writes one transaction at a time.
   */
  maxConcurrent?: number;
}

interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: many concurrent writers, one transaction. `submit` resolves only after the batch holding
 * its item has been durably written by `flush`, and rejects with flush's error if that write failed — so
 * a caller never acknowledges what is not stored. At most `maxConcurrent` flushes run at a time; items
 * arriving while every slot is busy form the next batch, written as soon as a slot frees up, which is how
 * the batch size adapts to load. The wait for company runs on the given clock (the real one by default).
 */
export class GroupCommitter<T> {
  private queue: Pending<T>[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private timer: TimerHandle | null = null;
  private turnEnd: NodeJS.Immediate | null = null;
  private readonly maxConcurrent: number;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly options: GroupCommitOptions,
    private readonly clock: Clock = backgroundClock,
  ) {
    this.maxConcurrent = Math.max(1, options.maxConcurrent ?? 1);
  }

  submit(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Items waiting for a commit. */
  get depth(): number {
    return this.queue.length;
  }

  /** Commits running now. */
  get flushing(): number {
    return this.inFlight.size;
  }

  /** Resolves once everything submitted so far has been written (or failed). */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight.size > 0) {
      while (this.queue.length > 0 && this.inFlight.size < this.maxConcurrent) this.startFlush();
      if (this.inFlight.size > 0) await Promise.race(this.inFlight);
    }
  }

  private schedule(): void {
    if (this.inFlight.size >= this.maxConcurrent) return; // a flush ending picks the queue up
    if (this.queue.length >= this.options.maxBatch) {
      this.startFlush();
    } else if (this.options.maxDelayMs === 0) {
      this.turnEnd ??= setImmediate(() => {
        this.turnEnd = null;
        if (this.inFlight.size < this.maxConcurrent) this.startFlush();
      });
    } else if (this.timer === null && this.queue.length > 0) {
      this.timer = this.clock.setTimeout(() => {
        this.timer = null;
        if (this.inFlight.size < this.maxConcurrent) this.startFlush();
      }, this.options.maxDelayMs);
    }
  }

  private startFlush(): void {
    if (this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.options.maxBatch);
    if (this.queue.length === 0 && this.timer !== null) {
      this.clock.clearTimeout(this.timer);
      this.timer = null;
    }
    const flushing: Promise<void> = this.flush(batch.map((p) => p.item))
      .then(
        () => batch.forEach((p) => p.resolve()),
        (err: unknown) => batch.forEach((p) => p.reject(err)),
      )
      .finally(() => {
        this.inFlight.delete(flushing);
        // Whatever queued up meanwhile is written at once: it has already waited one commit.
        if (this.queue.length > 0) this.startFlush();
      });
    this.inFlight.add(flushing);
    if (this.queue.length > 0) this.schedule();
  }
}
