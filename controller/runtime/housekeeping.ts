import type { Logger } from 'pino';
import type { DesiredState } from '../desired/types.js';
import type { Store } from '../store/store.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const DEFAULT_HISTORY_DAYS = 30;

/**
 * Work the leader does besides applying plans, at most once an hour: pruning check-in history older
 * than the longest `checkinHistory.retainDays` of the RetentionPolicies (30 days without one), in
 * small batches so check-ins keep flowing.
 */
export class HousekeepingSchedule {
  private lastPruneAt = 0;
  private running = false;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
  ) {}

  async afterPass(desired: DesiredState | null, now: Date): Promise<void> {
    if (this.running || now.getTime() - this.lastPruneAt < HOUR_MS) return;
    this.running = true;
    try {
      const days = Math.max(0, ...(desired?.retentionPolicies ?? []).map((p) => p.checkinHistoryRetainDays)) || DEFAULT_HISTORY_DAYS;
      const deleted = await this.store.pruneCheckinHistory(new Date(now.getTime() - days * DAY_MS), 1_000);
      this.lastPruneAt = now.getTime();
      if (deleted) this.log.info({ deleted, retainDays: days }, 'pruned check-in history');
    } catch (err) {
      this.log.warn({ err }, 'check-in history pruning failed; will retry');
    } finally {
      this.running = false;
    }
  }
}
