import type { Logger } from 'pino';
import type { Leadership, Store } from '../store/store.js';
import type { Clock, TimerHandle } from '../../lib/clock.js';

/**
 * How many retry periods a replica that has just lost its lock waits before trying again. Followers
 * try every period, so one of them takes over first: the replica whose connection just failed is the
 * one least likely to be healthy. Without the head start the two raced, and either could win.
 */
export const LOST_LEADER_BACKOFF_PERIODS = 2;

/**
 * Keeps trying to lead: holds the store's leadership when it can, drops it the moment the lock is lost,
 * and tries again every `retryMs` (later after losing it: see above). SQLite's refusal (another
 * controller on the file) is not retried: `start` rejects with it.
 */
export class LeadershipKeeper {
  private held: Leadership | null = null;
  private timer: TimerHandle | null = null;
  private stopped = false;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly retryMs: number,
    private readonly onChange: (leader: boolean) => void,
  ) {}

  /** Tries once at once; rejects only when the store refuses a second controller outright. */
  async start(): Promise<void> {
    await this.attempt(true);
  }

  isLeader(): boolean {
    return this.held?.isLeader() ?? false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    const held = this.held;
    this.held = null;
    await held?.release();
  }

  private async attempt(first: boolean): Promise<void> {
    this.timer = null;
    if (this.stopped) return;
    try {
      const leadership = await this.store.acquireLeadership();
      if (leadership) return this.take(leadership);
      if (first) this.log.info('another replica leads: following (serving check-ins and status, applying nothing)');
    } catch (err) {
      if (first && this.store.kind === 'sqlite') throw err;
      this.log.warn({ err }, 'could not try for leadership');
    }
    this.retry();
  }

  private take(leadership: Leadership): void {
    this.held = leadership;
    this.log.info('became leader: applying plans');
    this.onChange(true);
    leadership.onLost((reason) => {
      this.held = null;
      this.log.error({ err: reason }, 'lost leadership: stopped applying plans');
      this.onChange(false);
      this.retry(this.retryMs * LOST_LEADER_BACKOFF_PERIODS);
    });
  }

  private retry(delayMs = this.retryMs): void {
    if (this.stopped || this.timer !== null) return;
    this.timer = this.clock.setTimeout(() => void this.attempt(false), delayMs);
  }
}
