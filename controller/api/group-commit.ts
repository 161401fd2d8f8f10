/** Options for a group committer. */
export interface GroupCommitOptions {
  /** Most items written in one commit. */
  maxBatch: number;
  /** How long the first item of a batch may wait for company before the batch is written. */
  maxDelayMs: number;
}

interface Pending<T> {
  item: T;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: many concurrent writers, one transaction. `submit` resolves only after the batch holding
 * its item has been durably written by `flush`, and rejects with flush's error if that write failed — so
 * a caller never acknowledges what is not stored. At most one flush runs at a time; items arriving
 * during a flush form the next batch, which is how the batch size adapts to load.
 */
export class GroupCommitter<T> {
  private queue: Pending<T>[] = [];
  private flushing: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    private readonly options: GroupCommitOptions,
  ) {}

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

  /** Resolves once everything submitted so far has been written (or failed). */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.flushing) {
      if (this.flushing) await this.flushing;
      else this.startFlush();
    }
  }

  private schedule(): void {
    if (this.flushing) return; // the running flush picks the queue up when it ends
    if (this.queue.length >= this.options.maxBatch) {
      this.startFlush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.startFlush(), this.options.maxDelayMs);
    }
  }

  private startFlush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.flushing || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.options.maxBatch);
    this.flushing = this.flush(batch.map((p) => p.item)).then(
      () => batch.forEach((p) => p.resolve()),
      (err: unknown) => batch.forEach((p) => p.reject(err)),
    ).finally(() => {
      this.flushing = null;
      // Whatever queued up meanwhile is written at once: it has already waited one commit.
      if (this.queue.length > 0) this.startFlush();
    });
  }
}
