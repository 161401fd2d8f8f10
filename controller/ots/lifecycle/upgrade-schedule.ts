import type { Logger } from 'pino';
import type { OtsPolicy } from '../../desired/types.js';
import type { ProofUpgradeJob } from './upgrade-job.js';
import type { UpgradeReport } from './upgrade-outcome.js';

/**
 * When the upgrade job runs in the controller: the leader calls `afterPass` after every applied
 * plan, and the job runs when the OtsPolicy's `upgradeEvery` has passed since its last run — at
 * the first pass, then on that rhythm. At most one run at a time; the caller does not wait for it
 * (`void schedule.afterPass(…)`), so neither check-ins nor reconcile passes ever wait for calendars.
 */
export class UpgradeSchedule {
  private lastRunAt: number | null = null;
  private running: Promise<UpgradeReport | null> | null = null;
  private readonly stopping = new AbortController();

  constructor(
    private readonly job: Pick<ProofUpgradeJob, 'runOnce'>,
    private readonly log: Logger,
  ) {}

  /**
   * Runs the job at `now` if it is due and none is running; resolves with its report, or null when
   * it did not run (not due, already running, no OtsPolicy, or the store failed — logged, and tried
   * again at the next pass). Never rejects.
   */
  async afterPass(policy: OtsPolicy | null, now: Date): Promise<UpgradeReport | null> {
    if (!policy || this.running || this.stopping.signal.aborted) return null;
    if (this.lastRunAt !== null && now.getTime() - this.lastRunAt < policy.upgradeEveryMs) return null;
    this.running = this.run(now);
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  /** Cancels a run in progress (its unanswered proofs are left for later) and waits for it to end. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  private async run(now: Date): Promise<UpgradeReport | null> {
    try {
      const report = await this.job.runOnce(now, { signal: this.stopping.signal });
      this.lastRunAt = now.getTime();
      const anchored = report.changes.filter((c) => c.to === 'anchored' && c.from !== 'anchored').length;
      this.log.info({ checked: report.checked, anchored, changed: report.changes.length, answers: report.answers }, 'upgraded pending proofs');
      return report;
    } catch (err) {
      this.log.warn({ err }, 'proof upgrade failed; will retry at the next pass');
      return null;
    }
  }
}
