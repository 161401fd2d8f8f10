import type { DesiredState } from '../desired/types.js';
import { buildDesiredIndex } from '../reconcile/desired-index.js';
import type { HistoryScope } from '../store/store.js';

const DAY_MS = 86_400_000;

/** Days of check-in history kept for an appliance no RetentionPolicy selects (or one not declared). */
export const DEFAULT_HISTORY_DAYS = 30;

/** One prune of the check-in history: the rows of `scope` older than `olderThan`. */
export interface HistoryPrune {
  retainDays: number;
  olderThan: Date;
  scope?: HistoryScope;
}

/**
 * The prunes that keep each appliance's check-in history for the `checkinHistory.retainDays` of the
 * RetentionPolicy that selects it — the policy its check-in answer carries — and 30 days for every
 * other appliance, declared or not: one prune of everyone at 30 days except the appliances kept
 * longer, then one per other number of days, of the appliances kept that long. The lists the store
 * is handed are only of appliances whose days are not the default. Pure: `now` is given.
 */
export function historyPrunes(desired: DesiredState | null, now: Date): HistoryPrune[] {
  const cutoff = (days: number) => new Date(now.getTime() - days * DAY_MS);
  const byDays = new Map<number, string[]>();
  if (desired) {
    const index = buildDesiredIndex(desired);
    index.ids.forEach((id, i) => {
      const policy = index.retentionPolicies[index.policyOf[i] as number];
      if (!policy) return;
      const group = byDays.get(policy.checkinHistoryRetainDays);
      if (group) group.push(id);
      else byDays.set(policy.checkinHistoryRetainDays, [id]);
    });
  }
  const keptLonger = [...byDays].filter(([days]) => days > DEFAULT_HISTORY_DAYS).flatMap(([, ids]) => ids);
  const everyone: HistoryPrune = { retainDays: DEFAULT_HISTORY_DAYS, olderThan: cutoff(DEFAULT_HISTORY_DAYS) };
  if (keptLonger.length > 0) everyone.scope = { except: keptLonger };
  const others = [...byDays]
    .filter(([days]) => days !== DEFAULT_HISTORY_DAYS)
    .sort(([a], [b]) => a - b)
    .map(([days, only]): HistoryPrune => ({ retainDays: days, olderThan: cutoff(days), scope: { only } }));
  return [everyone, ...others];
}
