import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Clock, TimerHandle } from '../../lib/clock.js';
import type { Notifier } from '../desired/types.js';
import type { PassNotify } from '../runtime/reconcile-pass.js';
import type { Store } from '../store/store.js';
import type { Post } from './deliver.js';
import { NotificationMetrics } from './metrics.js';
import { notifierFindings } from './pass-findings.js';
import { processSecrets, resolveNotifier, type SecretReader } from './secrets.js';
import { NotificationSender } from './sender.js';

const HOUR_MS = 3_600_000;
/** How long delivered and given-up events stay listed by `muster notifications`. */
export const OUTBOX_RETENTION_MS = 7 * 86_400_000;

export interface NotificationOptions {
  store: Store;
  notifiers: () => readonly Notifier[];
  /** `--public-url`: the status page's base URL for links; null for none. */
  publicUrl: string | null;
  isLeader: () => boolean;
  clock: Clock;
  log: Logger;
  registry: Registry;
  /** How often the outbox is checked for due events besides after each applied plan (default 5 s). */
  pollMs?: number;
  post?: Post;
  secrets?: SecretReader;
}

/**
 * The controller's notifications: what the reconcile pass adds (findings about notifiers, the outbox
 * context applyPlan writes with) and the leader's background sender, run after every applied plan
 * and on a timer.
 */
export class Notifications {
  readonly sender: NotificationSender;
  readonly metrics: NotificationMetrics;
  private timer: TimerHandle | null = null;
  private stopped = false;
  private lastPruneMs = 0;

  constructor(private readonly options: NotificationOptions) {
    this.metrics = new NotificationMetrics(options.registry);
    const secrets = options.secrets ?? processSecrets;
    this.sender = new NotificationSender({
      outbox: options.store.outbox,
      notifiers: options.notifiers,
      now: () => new Date(options.clock.now()),
      isLeader: options.isLeader,
      log: options.log.child({ component: 'notifications' }),
      resolve: (n) => resolveNotifier(n, secrets),
      post: options.post,
      metrics: this.metrics,
    });
  }

  /** What runPass needs: notifier findings (only with notifiers declared) and the outbox context. */
  forPass(): PassNotify {
    const secrets = this.options.secrets ?? processSecrets;
    return {
      findings: async () => {
        const notifiers = this.options.notifiers();
        if (!notifiers.length) return [];
        return notifierFindings(notifiers, (n) => resolveNotifier(n, secrets), await this.options.store.outbox.stats());
      },
      context: () => ({ notifiers: this.options.notifiers(), publicUrl: this.options.publicUrl }),
    };
  }

  /** Starts the timer that sends due events (retries come due without any new plan). */
  start(): void {
    const tick = () => {
      if (this.stopped) return;
      void Promise.all([this.sender.sendDue(), this.prune()]).finally(() => {
        if (!this.stopped) this.timer = this.options.clock.setTimeout(tick, this.options.pollMs ?? 5_000);
      });
    };
    this.timer = this.options.clock.setTimeout(tick, 0);
  }

  /** On the leader, at most hourly: forgets rows delivered or given up more than OUTBOX_RETENTION_MS ago. */
  private async prune(): Promise<void> {
    const now = this.options.clock.now();
    if (!this.options.isLeader() || now - this.lastPruneMs < HOUR_MS) return;
    this.lastPruneMs = now;
    try {
      const deleted = await this.options.store.outbox.prune(new Date(now - OUTBOX_RETENTION_MS));
      if (deleted) this.options.log.info({ deleted }, 'pruned the notification outbox');
    } catch (err) {
      this.options.log.warn({ err }, 'notification outbox pruning failed; will retry');
    }
  }

  /** Sends what a just-applied plan added. */
  afterPass(): void {
    if (!this.stopped) void this.sender.sendDue();
  }

  /** Stops the timer and waits for the round in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    await this.sender.idle();
  }
}
