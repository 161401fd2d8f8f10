import type { OtsPolicy } from '../../desired/types.js';
import type { ProofRow, ProofStatus, Store } from '../../store/store.js';
import type { CalendarClient, CalendarReport } from '../calendar-client.js';
import type { PolicyCalendars } from './policy-calendars.js';
import { addToReport, emptyReport, upgradeChange, type UpgradeReport } from './upgrade-outcome.js';
import { mapLimited } from '../../../lib/map-limited.js';

/** The policy's default batch when a saved desired state predates the field. */
export const DEFAULT_UPGRADE_BATCH = 500;

/** Counters the job feeds (ControllerMetrics implements them). */
export interface UpgradeMetrics {
  /** One calendar's answer for one commitment; `calendar` is an OtsPolicy calendar or `other`. */
  upgradeAnswer(calendar: string, outcome: CalendarReport['outcome']['kind']): void;
}

export interface UpgradeJobDeps {
  store: Store;
  calendars: PolicyCalendars;
  /** The OtsPolicy in force (from the desired state), or null. */
  policy: () => OtsPolicy | null;
  metrics?: UpgradeMetrics;
  /** Proofs upgraded at once (default 8); each calendar's own queue caps its requests in flight. */
  concurrency?: number;
}

export interface UpgradeRunOptions {
  /** Expired proofs too (`muster proofs upgrade --include-expired`): calendars keep commitments. */
  includeExpired?: boolean;
  /** At most this many proofs; the policy's `upgradeBatch` by default. */
  limit?: number;
  /** Stops the run: no further proof is taken, requests in flight are cancelled (and not recorded). */
  signal?: AbortSignal;
}

/**
 * The upgrade job: asks the OtsPolicy's calendars about the pending proofs that were checked least
 * recently, and stores what they answer. One run is `runOnce(now)`; when it runs is the caller's
 * business (UpgradeSchedule on the leader, `muster proofs upgrade` by hand).
 */
export class ProofUpgradeJob {
  constructor(private readonly deps: UpgradeJobDeps) {}

  /**
   * Upgrades up to `upgradeBatch` proofs at `now`, contacting only the policy's calendars: each row
   * gets the calendars' answers and `checkedAt = now`, the merged proof when a calendar returned
   * one, `anchored` once it holds a Bitcoin attestation. Without an OtsPolicy it does nothing and
   * says why. Rejects only when the store does.
   */
  async runOnce(now: Date, options: UpgradeRunOptions = {}): Promise<UpgradeReport> {
    const includeExpired = options.includeExpired ?? false;
    const policy = this.deps.policy();
    if (!policy) return emptyReport(now, [], includeExpired, 'no OtsPolicy in the desired state');
    const client = this.deps.calendars.forPolicy(policy.calendars);
    const report = emptyReport(now, [...client.calendars], includeExpired);
    const limit = options.limit ?? policy.upgradeBatch ?? DEFAULT_UPGRADE_BATCH;
    const rows = await this.deps.store.pendingProofs(limit, { includeExpired });
    const signal = options.signal;
    const results = await mapLimited(rows, this.deps.concurrency ?? 8, (row) => (signal?.aborted ? Promise.resolve(null) : this.upgradeOne(client, row, now, signal)));
    // Summed in the order the store handed the proofs out, whatever order the calendars answered in.
    for (const r of results) if (r) addToReport(report, r.status, r.change, r.summary);
    return report;
  }

  private async upgradeOne(client: CalendarClient, row: ProofRow, now: Date, signal?: AbortSignal) {
    const result = await client.upgrade(row.proof, { signal });
    // A cancelled run says nothing about the calendars: the proof is left for the next run.
    if (signal?.aborted) return null;
    if (result.ok) {
      for (const { calendar, outcome } of result.perCalendar) {
        this.deps.metrics?.upgradeAnswer(client.calendars.includes(calendar) ? calendar : 'other', outcome.kind);
      }
    }
    const { change, summary } = upgradeChange(row, result, now);
    await this.deps.store.updateProof(row.id, change);
    const status: ProofStatus = change.status ?? row.status;
    return { status, change, summary };
  }
}

