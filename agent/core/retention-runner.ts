import type { Clock } from '../../lib/clock.js';
import type { IncidentsMeasure, RetentionPort } from '../retention/incidents-retention.js';
import { retentionDue } from '../retention/schedule.js';
import type { StateStore } from '../state/local-state.js';
import type { AgentEvent } from './events.js';
import type { Logger } from './logger.js';

export interface RetentionRunnerDeps {
  clock: Clock;
  store: StateStore;
  /** The incidents database; null on an appliance without one (nothing is measured or pruned). */
  retention: RetentionPort | null;
  logger: Logger;
  emit: (event: AgentEvent) => void;
  /** A prune was recorded: the agent reports it at once rather than at the next interval. */
  pruned: () => void;
}

/** A retention failure (database locked, disk full) is retried after this long. */
export const PRUNE_RETRY_MS = 300_000;

/**
 * The agent's side of the retention policy: measures the incidents database for each check-in and
 * prunes it when the policy handed down is new or `pruneEvery` has passed, recording what it applied.
 */
export class RetentionRunner {
  /** When the next prune is due (epoch ms); Infinity while there is no policy or no database. */
  nextAt = 0;

  constructor(private readonly deps: RetentionRunnerDeps) {}

  /** Looks at the policy again at `at` (a check-in may have brought a new one). */
  checkAt(at: number): void {
    this.nextAt = at;
  }

  /** What the check-in reports of the database; null without one, or when it cannot be read now. */
  async measure(): Promise<IncidentsMeasure | null> {
    if (!this.deps.retention) return null;
    try {
      return await this.deps.retention.measure();
    } catch (err) {
      this.deps.logger.warn({ err: String(err) }, 'cannot measure the incidents database');
      return null;
    }
  }

  /** Prunes the incidents database when the policy is new or `pruneEvery` has passed; sets `nextAt`. */
  async pruneIfDue(): Promise<void> {
    const { clock, store, retention, logger, emit } = this.deps;
    const state = store.load();
    const grant = state.retention;
    this.nextAt = Infinity;
    if (!grant || !retention) return;
    const now = clock.now();
    const due = retentionDue(grant, state, now);
    if (due.kind === 'invalid') {
      emit({ type: 'retention-error', at: now, message: due.message });
      logger.error({ policyHash: grant.policyHash }, due.message);
      return;
    }
    if (due.kind === 'later') {
      this.nextAt = due.at;
      return;
    }
    try {
      const result = await retention.apply(grant.policy, now);
      const at = clock.now();
      store.save({ appliedPolicyHash: grant.policyHash, lastPrunedAt: at });
      this.nextAt = at + grant.policy.pruneEverySeconds * 1000;
      emit({ type: 'prune', at, policyHash: grant.policyHash, result });
      logger.info({ reason: due.reason, ...result }, 'incidents pruned');
      this.deps.pruned();
    } catch (err) {
      const message = `pruning failed: ${err instanceof Error ? err.message : String(err)}`;
      this.nextAt = now + PRUNE_RETRY_MS;
      emit({ type: 'retention-error', at: now, message });
      logger.error({}, message);
    }
  }
}
