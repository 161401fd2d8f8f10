import { Counter, Gauge, type Registry } from 'prom-client';
import type { OutboxStats } from '../store/outbox.js';

/** The notification metrics, registered on the controller's registry. */
export class NotificationMetrics {
  readonly sent: Counter;
  readonly failed: Counter;
  readonly pending: Gauge;
  readonly oldestPendingAge: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.sent = new Counter({ name: 'muster_notifications_sent_total', help: 'Notifications delivered (2xx), by notifier', labelNames: ['notifier'], registers });
    this.failed = new Counter({
      name: 'muster_notifications_failed_total',
      help: 'Failed notification attempts, by notifier and result (retry, gave_up)',
      labelNames: ['notifier', 'result'],
      registers,
    });
    this.pending = new Gauge({ name: 'muster_notifications_pending', help: 'Notifications in the outbox not yet delivered nor given up', registers });
    this.oldestPendingAge = new Gauge({
      name: 'muster_notifications_oldest_pending_age_seconds',
      help: 'Age of the oldest notification not yet delivered (0 when none)',
      registers,
    });
  }

  /** Sets the gauges from the outbox at `now`. */
  observe(stats: OutboxStats, now: Date): void {
    this.pending.set(stats.pending);
    this.oldestPendingAge.set(stats.oldestPendingAt ? Math.max(0, (now.getTime() - Date.parse(stats.oldestPendingAt)) / 1000) : 0);
  }
}
