import PQueue from 'p-queue';
import type { Logger } from 'pino';
import { backoffDelayMs, type BackoffPolicy } from '../../lib/backoff.js';
import type { Notifier } from '../desired/types.js';
import type { AttemptOutcome, NotificationOutbox, OutboxRow } from '../store/outbox.js';
import { undiciPost, type Post } from './deliver.js';
import { requestFor } from './format.js';
import type { NotificationMetrics } from './metrics.js';
import { resolveNotifier, type ResolvedNotifier } from './secrets.js';

/** Retries start at 10 s and double up to 10 minutes (each drawn from the upper half of that, for jitter). */
export const NOTIFY_BACKOFF: BackoffPolicy = { baseMs: 10_000, maxMs: 10 * 60_000, jitter: 'upper-half' };

export interface SenderDeps {
  outbox: NotificationOutbox;
  /** The notifiers in force (the desired state's). */
  notifiers: () => readonly Notifier[];
  now: () => Date;
  /** Only the leader sends; a follower's sendDue() does nothing. */
  isLeader: () => boolean;
  log: Logger;
  resolve?: (n: Notifier) => ResolvedNotifier;
  post?: Post;
  metrics?: NotificationMetrics;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /** Rows claimed per round (default 50). */
  batch?: number;
  backoff?: BackoffPolicy;
  random?: () => number;
}

/** What one round did. */
export interface SendRound {
  delivered: number;
  retried: number;
  gaveUp: number;
}

/**
 * Works off the outbox: claims the due rows, POSTs each to its notifier (bounded concurrency, each
 * request bounded by the notifier's timeout), and records delivered, retry at a backoff with jitter,
 * or — once the event is older than the notifier's giveUpAfter — given up. At least once: a claim
 * is a lease, so a sender that dies mid-request leaves the row to be sent again when it expires.
 */
export class NotificationSender {
  private readonly queue: PQueue;
  private running: Promise<SendRound> | null = null;

  constructor(private readonly deps: SenderDeps) {
    this.queue = new PQueue({ concurrency: deps.concurrency ?? 4 });
  }

  /** Sends what is due now, one round (a call during a round joins it). Never rejects. */
  sendDue(): Promise<SendRound> {
    this.running ??= this.round().finally(() => (this.running = null));
    return this.running;
  }

  /** Waits for the round in progress, if any. */
  async idle(): Promise<void> {
    await this.running;
  }

  private async round(): Promise<SendRound> {
    const done: SendRound = { delivered: 0, retried: 0, gaveUp: 0 };
    if (!this.deps.isLeader()) return done;
    try {
      const byName = new Map(this.deps.notifiers().map((n) => [n.name, n]));
      const lease = 2 * Math.max(10_000, ...[...byName.values()].map((n) => n.timeoutMs)) + 30_000;
      const rows = await this.deps.outbox.claimDue(this.deps.now(), this.deps.batch ?? 50, lease);
      const resolved = new Map<string, ResolvedNotifier>();
      const resolve = this.deps.resolve ?? resolveNotifier;
      await Promise.all(
        rows.map((row) =>
          this.queue.add(async () => {
            const n = byName.get(row.notifier);
            if (n && !resolved.has(n.name)) resolved.set(n.name, resolve(n));
            const outcome = await this.attempt(row, n, n ? resolved.get(n.name) : undefined);
            await this.deps.outbox.record(outcome);
            this.count(outcome, done, row);
          }),
        ),
      );
    } catch (err) {
      this.deps.log.warn({ err }, 'notification round failed; will retry');
    }
    await this.observe();
    return done;
  }

  private async attempt(row: OutboxRow, n: Notifier | undefined, target: ResolvedNotifier | undefined): Promise<AttemptOutcome> {
    const base = { notifier: row.notifier, id: row.id };
    if (!n || !target) return { ...base, at: this.deps.now(), result: 'gaveUp', error: `notifier ${row.notifier} is no longer declared` };
    let error: string;
    if (target.ok) {
      const { body, headers } = requestFor(row.event, n, target.key);
      const result = await (this.deps.post ?? undiciPost)(target.url, body, headers, n.timeoutMs);
      if (result.ok) return { ...base, at: this.deps.now(), result: 'delivered' };
      error = result.error;
    } else error = target.problem;
    const now = this.deps.now();
    if (now.getTime() - Date.parse(row.createdAt) >= n.giveUpAfterMs) return { ...base, at: now, result: 'gaveUp', error };
    const delay = backoffDelayMs(row.attempts, this.deps.backoff ?? NOTIFY_BACKOFF, this.deps.random);
    return { ...base, at: now, result: 'retry', nextAttemptAt: new Date(now.getTime() + delay), error };
  }

  private count(outcome: AttemptOutcome, done: SendRound, row: OutboxRow): void {
    const m = this.deps.metrics;
    if (outcome.result === 'delivered') {
      done.delivered += 1;
      m?.sent.inc({ notifier: row.notifier });
      return;
    }
    m?.failed.inc({ notifier: row.notifier, result: outcome.result === 'retry' ? 'retry' : 'gave_up' });
    if (outcome.result === 'retry') done.retried += 1;
    else {
      done.gaveUp += 1;
      this.deps.log.error({ notifier: row.notifier, id: row.id, error: outcome.error }, 'notification undeliverable: gave up');
    }
    if (outcome.result === 'retry') this.deps.log.warn({ notifier: row.notifier, id: row.id, attempts: row.attempts, error: outcome.error }, 'notification failed; will retry');
  }

  private async observe(): Promise<void> {
    if (!this.deps.metrics) return;
    try {
      this.deps.metrics.observe(await this.deps.outbox.stats(), this.deps.now());
    } catch {
      // Metrics are best effort: the next round sets them.
    }
  }
}
