import type { Logger } from 'pino';
import type { DesiredState } from '../desired/types.js';
import type { Store } from '../store/store.js';
import { historyPrunes } from './history-retention.js';

const HOUR_MS = 3_600_000;
/** Rows per pruning transaction: small, so check-ins keep flowing. */
const PRUNE_BATCH = 1_000;

/**
 * Work the leader does besides applying plans, at most once an hour: pruning each appliance's
 * check-in history older than the `checkinHistory.retainDays` of the RetentionPolicy that selects it
 * (30 days for appliances no policy selects), in small batches so check-ins keep flowing.
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
      for (const prune of historyPrunes(desired, now)) {
        const deleted = await this.store.pruneCheckinHistory(prune.olderThan, PRUNE_BATCH, undefined, prune.scope);
        if (deleted) this.log.info({ deleted, retainDays: prune.retainDays }, 'pruned check-in history');
      }
      this.lastPruneAt = now.getTime();
    } catch (err) {
      this.log.warn({ err }, 'check-in history pruning failed; will retry');
    } finally {
      this.running = false;
    }
  }
}
