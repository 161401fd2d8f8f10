import pg from 'pg';
import { failpoint } from '../failpoints.js';
import { backgroundClock, type Clock } from '../../lib/clock.js';
import type { NotificationOutbox } from './outbox.js';
import { PostgresOutbox } from './postgres-outbox.js';
import { createPostgresPool, type PostgresPoolOptions } from './postgres-pool.js';
import type { ApplianceObservation, StateDocument } from '../observed/state-schema.js';
import type { Plan } from '../reconcile/plan.js';
import { SchemaTooNewError } from './errors.js';
import { OpenFindingsCache } from './finding-changes.js';
import { latestVersion, pendingMigrations } from './migration.js';
import { applianceDocument, type ApplianceRow } from './observed-document.js';
import { pgListCheckins, pgPruneCheckinHistory, pgRecordCheckins } from './postgres-checkins.js';
import { acquirePostgresLeadership } from './postgres-leadership.js';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.js';
import { pgImportState, pgLoadObserved } from './postgres-observed.js';
import { pgApplyPlan, pgLatestPlan, pgListEvents, pgListFindings } from './postgres-plan.js';
import { pgExpireProofs, pgInsertProof, pgPendingProofs, pgProofStats, pgRewriteExpiredBatch, pgUpdateProof } from './postgres-proofs.js';
import { PG_APPLIANCE_SELECT, rows, withTransaction } from './postgres-rows.js';
import { checkBatchSize, DEFAULT_BATCH_SIZE } from './batches.js';
import { ExpiryRewrite } from './expiry-rewrite.js';
import type {
  ApplyPlanOptions,
  ApplyPlanResult,
  BatchListener,
  HistoryScope,
  CheckinHistoryEntry,
  CheckinRecord,
  EventQuery,
  IssuedToken,
  Leadership,
  MigrationResult,
  NewProof,
  ObservedSnapshot,
  ProofChange,
  ProofRow,
  ProofStats,
  RevisionRecord,
  SavedDesiredState,
  SavedPlan,
  SourceStatus,
  Store,
  StoredEvent,
  StoredFinding,
  TokenChanges,
  TokenListener,
} from './store.js';
import { pgListRevisions, pgLoadDesiredState, pgLoadSourceStatus, pgSaveDesiredState, pgSaveSourceStatus } from './postgres-desired.js';
import { pgApplianceForToken, pgAppliancesWithTokens, pgIssueOperatorToken, pgIssueTokens, pgOperatorForToken, pgTokensChangedSince } from './postgres-tokens.js';
import { TokenListeners } from './tokens.js';

export interface PostgresStoreOptions extends PostgresPoolOptions {
  /** The clock for times the store stamps itself (migrations, tokens); the real one by default. */
  clock?: Clock;
  /** How often the leader checks its lock connection (default 5000 ms). */
  leaderHeartbeatMs?: number;
  /** Called with errors of idle pooled connections (the pool replaces them by itself). */
  onIdleError?: (err: Error) => void;
}

/** The URL without its password, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

/**
 * The production store: a pg connection pool. Each operation is one statement (one round trip) or
 * one short transaction; an unreachable server makes operations reject with StoreUnavailableError,
 * and the pool reconnects on its own once the server answers again.
 */
export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly description: string;
  private readonly pool: pg.Pool;
  private readonly clock: Clock;
  private readonly leaderships = new Set<Leadership>();
  private readonly openFindings = new OpenFindingsCache();
  /** The notification outbox (see outbox.ts). */
  readonly outbox: NotificationOutbox;
  private readonly tokenListeners = new TokenListeners();
  private readonly expiryRewrite = new ExpiryRewrite((batchSize) => pgRewriteExpiredBatch(this.pool, batchSize));

  constructor(
    private readonly url: string,
    private readonly options: PostgresStoreOptions = {},
  ) {
    this.description = redactUrl(url);
    this.clock = options.clock ?? backgroundClock;
    this.pool = createPostgresPool(url, options);
    // An idle connection dropped by the server must not crash the process: the pool discards it.
    this.pool.on('error', (err) => options.onIdleError?.(err));
    this.outbox = new PostgresOutbox(this.pool);
  }

  async migrate(): Promise<MigrationResult> {
    const codeVersion = latestVersion(POSTGRES_MIGRATIONS);
    return withTransaction(this.pool, async (client) => {
      // Replicas starting together migrate one after the other.
      await rows(client, "SELECT pg_advisory_xact_lock(hashtextextended('muster.dev/migrate', 0))");
      await rows(client, 'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)');
      const [row] = await rows<{ v: number | null }>(client, 'SELECT max(version) AS v FROM schema_migrations');
      const current = row?.v ?? 0;
      if (current > codeVersion) throw new SchemaTooNewError(current, codeVersion);
      const applied: number[] = [];
      for (const migration of pendingMigrations(POSTGRES_MIGRATIONS, current)) {
        for (const sql of migration.statements) await rows(client, sql);
        await rows(client, 'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          new Date(this.clock.now()),
        ]);
        applied.push(migration.version);
      }
      return { applied, version: Math.max(current, ...applied) };
    });
  }

  async close(): Promise<void> {
    await this.expiryRewrite.stop();
    for (const leadership of this.leaderships) await leadership.release();
    await this.pool.end();
  }

  async ping(): Promise<void> {
    await rows(this.pool, 'SELECT 1');
  }

  async recordCheckins(batch: readonly CheckinRecord[]): Promise<void> {
    await pgRecordCheckins(this.pool, batch);
    failpoint('group-commit');
  }

  async getAppliance(id: string): Promise<ApplianceObservation | null> {
    const [row] = await rows<ApplianceRow>(this.pool, `SELECT ${PG_APPLIANCE_SELECT} FROM appliances WHERE id = $1`, [id]);
    return row ? applianceDocument(row) : null;
  }

  async listCheckins(appliance: string, limit: number): Promise<CheckinHistoryEntry[]> {
    return pgListCheckins(this.pool, appliance, limit);
  }

  async pruneCheckinHistory(olderThan: Date, batchSize = DEFAULT_BATCH_SIZE, onBatch?: BatchListener, scope?: HistoryScope): Promise<number> {
    return pgPruneCheckinHistory(this.pool, olderThan, batchSize, onBatch, scope);
  }

  async issueToken(applianceId: string, options: { rotate?: boolean } = {}): Promise<string | null> {
    const [issued] = await this.issueTokens([applianceId], options);
    return issued?.token ?? null;
  }

  async issueTokens(applianceIds: readonly string[], options: { rotate?: boolean } = {}): Promise<IssuedToken[]> {
    const { issued, changes } = await pgIssueTokens(this.pool, applianceIds, options, new Date(this.clock.now()));
    this.tokenListeners.notify(changes);
    return issued;
  }

  async applianceForToken(token: string): Promise<string | null> {
    return pgApplianceForToken(this.pool, token);
  }

  async tokensChangedSince(cursor: number | null): Promise<TokenChanges> {
    return pgTokensChangedSince(this.pool, cursor);
  }

  onTokensChanged(listener: TokenListener): () => void {
    return this.tokenListeners.add(listener);
  }

  async appliancesWithTokens(): Promise<string[]> {
    return pgAppliancesWithTokens(this.pool);
  }

  async issueOperatorToken(name: string, options: { rotate?: boolean } = {}): Promise<string | null> {
    return pgIssueOperatorToken(this.pool, name, options, new Date(this.clock.now()));
  }

  async operatorForToken(token: string): Promise<string | null> {
    return pgOperatorForToken(this.pool, token);
  }

  async loadObserved(now: Date): Promise<ObservedSnapshot> {
    return pgLoadObserved(this.pool, now);
  }

  async importState(doc: StateDocument): Promise<{ version: number }> {
    return pgImportState(this.pool, doc);
  }

  async applyPlan(plan: Plan, options: ApplyPlanOptions): Promise<ApplyPlanResult> {
    return pgApplyPlan(this.pool, plan, options, this.openFindings);
  }

  async stateVersion(): Promise<number> {
    const [row] = await rows<{ version: number }>(this.pool, 'SELECT version FROM state_version WHERE id = 1');
    return row?.version ?? 0;
  }

  async latestPlan(): Promise<SavedPlan | null> {
    return pgLatestPlan(this.pool);
  }

  async listEvents(query: EventQuery): Promise<StoredEvent[]> {
    return pgListEvents(this.pool, query);
  }

  async listFindings(options: { includeResolved?: boolean } = {}): Promise<StoredFinding[]> {
    return pgListFindings(this.pool, options);
  }

  async saveDesiredState(desired: SavedDesiredState): Promise<void> {
    return pgSaveDesiredState(this.pool, desired);
  }

  async listRevisions(): Promise<RevisionRecord[]> {
    return pgListRevisions(this.pool);
  }

  async loadDesiredState(): Promise<SavedDesiredState | null> {
    return pgLoadDesiredState(this.pool);
  }

  async saveSourceStatus(status: SourceStatus): Promise<void> {
    return pgSaveSourceStatus(this.pool, status);
  }

  async loadSourceStatus(): Promise<SourceStatus | null> {
    return pgLoadSourceStatus(this.pool);
  }

  async insertProof(proof: NewProof): Promise<{ proof: ProofRow; created: boolean }> {
    return pgInsertProof(this.pool, proof);
  }

  async pendingProofs(limit: number, options: { includeExpired?: boolean } = {}): Promise<ProofRow[]> {
    return pgPendingProofs(this.pool, limit, options.includeExpired ?? false);
  }

  async updateProof(id: number, change: ProofChange): Promise<boolean> {
    return pgUpdateProof(this.pool, id, change);
  }

  async expireProofs(olderThan: Date, batchSize = DEFAULT_BATCH_SIZE, onBatch?: BatchListener): Promise<number> {
    checkBatchSize(batchSize);
    const expired = await pgExpireProofs(this.pool, olderThan);
    this.expiryRewrite.start(batchSize, onBatch);
    return expired;
  }

  async rewriteExpiredProofs(batchSize = DEFAULT_BATCH_SIZE, onBatch?: BatchListener): Promise<number> {
    return this.expiryRewrite.run(batchSize, onBatch);
  }

  async proofStats(now: Date): Promise<ProofStats> {
    return pgProofStats(this.pool, now);
  }

  async acquireLeadership(): Promise<Leadership | null> {
    const leadership = await acquirePostgresLeadership(this.url, { heartbeatMs: this.options.leaderHeartbeatMs ?? 5000 });
    if (leadership) {
      this.leaderships.add(leadership);
      leadership.onLost(() => this.leaderships.delete(leadership));
    }
    return leadership;
  }
}
