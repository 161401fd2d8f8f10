import type { NotificationOutbox } from './outbox.js';
import { backgroundClock, isoTime, type Clock } from '../../lib/clock.js';
import { SqliteOutbox } from './sqlite-outbox.js';
import Database from 'better-sqlite3';
import type { ApplianceObservation, StateDocument } from '../observed/state-schema.js';
import type { Plan } from '../reconcile/plan.js';
import { SchemaTooNewError } from './errors.js';
import { OpenFindingsCache } from './finding-changes.js';
import { latestVersion, pendingMigrations } from './migration.js';
import { applianceDocument } from './observed-document.js';
import { applianceValues, historyValues, SqliteCheckinWriter } from './sqlite-checkin-writer.js';
import { checkinWrites } from './checkin-writes.js';
import { SQLITE_MIGRATIONS } from './sqlite-migrations.js';
import { sqliteApplyPlan, sqliteLatestPlan, sqliteListEvents, sqliteListFindings } from './sqlite-plan.js';
import { sqliteImportState, sqliteLoadObserved } from './sqlite-observed.js';
import { batched, checkBatchSize, DEFAULT_BATCH_SIZE } from './batches.js';
import { ExpiryRewrite } from './expiry-rewrite.js';
import { applianceFromSqlite, SQLITE_APPLIANCE_COLUMNS, unlessBusy } from './sqlite-rows.js';
import { sqliteExpireProofs, sqliteInsertProof, sqlitePendingProofs, sqliteProofStats, sqliteRewriteExpiredBatch, sqliteUpdateProof } from './sqlite-proofs.js';
import { acquireSqliteLock } from './sqlite-leadership.js';
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
import { sqliteListRevisions, sqliteLoadDesiredState, sqliteLoadSourceStatus, sqliteSaveDesiredState, sqliteSaveSourceStatus } from './sqlite-desired.js';
import { sqliteApplianceForToken, sqliteIssueOperatorToken, sqliteIssueTokens, sqliteOperatorForToken, sqliteTokensChangedSince } from './sqlite-tokens.js';
import { TokenListeners } from './tokens.js';

/** How long a write waits for another process's write to finish, by default. */
const DEFAULT_BUSY_TIMEOUT_MS = 5000;

export interface SqliteStoreOptions {
  /** The clock for times the store stamps itself (migrations, tokens, the lock holder); the real one by default. */
  clock?: Clock;
  /** How long a write waits for another process's write to finish, in ms. */
  busyTimeoutMs?: number;
}

/**
 * The page cache of the store's connection (the API's thread, and the reconcile worker's own), in
 * SQLite's negative-KiB form: SQLite's own default of 2 MiB. better-sqlite3 builds SQLite with 16 MiB,
 * which each connection fills and keeps; here that bought nothing, since a pass reads the whole
 * observed state (hundreds of MB of file at 100,000 appliances, read from the kernel's cache either way),
 * and at rest the two connections held about 25 MB more (docs/BENCHMARKS.md). The check-in writer keeps the
 * larger cache: its upserts come back to the same pages.
 */
export const PAGE_CACHE_SIZE = -2000;

/**
 * The embedded store: one SQLite file in WAL mode (readers never block the writer, so the CLI works
 * beside a running controller) with `synchronous=FULL`, so a committed check-in survives a power cut.
 * better-sqlite3 is synchronous: every transaction here is short, and batch jobs yield between batches.
 * Check-in batches, the one write on the API's hot path, are committed by a worker thread with its own
 * connection (sqlite-checkin-writer.ts), so that waiting for the disk never stalls the API.
 */
export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly clock: Clock;
  private readonly leaderships = new Set<Leadership>();
  private readonly openFindings = new OpenFindingsCache();
  /** The notification outbox (see outbox.ts). */
  readonly outbox: NotificationOutbox;
  private readonly tokenListeners = new TokenListeners();
  private readonly statements = new Map<string, Database.Statement>();
  private readonly checkinWriter: SqliteCheckinWriter;
  private readonly expiryRewrite = new ExpiryRewrite((batchSize) => unlessBusy(() => sqliteRewriteExpiredBatch(this.db, batchSize)));

  constructor(
    readonly description: string,
    options: SqliteStoreOptions = {},
  ) {
    this.db = new Database(description, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma(`cache_size = ${PAGE_CACHE_SIZE}`);
    this.clock = options.clock ?? backgroundClock;
    this.outbox = new SqliteOutbox(this.db);
    this.checkinWriter = new SqliteCheckinWriter(description, options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS);
  }

  async migrate(): Promise<MigrationResult> {
    const codeVersion = latestVersion(SQLITE_MIGRATIONS);
    const run = this.db.transaction((): MigrationResult => {
      this.db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      const row = this.db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null };
      const current = row.v ?? 0;
      if (current > codeVersion) throw new SchemaTooNewError(current, codeVersion);
      const applied: number[] = [];
      for (const migration of pendingMigrations(SQLITE_MIGRATIONS, current)) {
        for (const sql of migration.statements) this.db.exec(sql);
        this.db
          .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
          .run(migration.version, migration.name, isoTime(this.clock.now()));
        applied.push(migration.version);
      }
      return { applied, version: Math.max(current, ...applied) };
    });
    return run.immediate();
  }

  /** A prepared statement, prepared once per store (preparing costs more than running a small one). */
  private statement(sql: string): Database.Statement {
    let prepared = this.statements.get(sql);
    if (!prepared) {
      prepared = this.db.prepare(sql);
      this.statements.set(sql, prepared);
    }
    return prepared;
  }

  async close(): Promise<void> {
    await this.expiryRewrite.stop();
    for (const leadership of this.leaderships) await leadership.release();
    await this.checkinWriter.close();
    if (this.db.open) this.db.close();
  }

  async ping(): Promise<void> {
    unlessBusy(() => this.db.prepare('SELECT 1').get());
  }

  async recordCheckins(batch: readonly CheckinRecord[]): Promise<void> {
    if (batch.length === 0) return;
    const { latest, latestReports, others } = checkinWrites(batch);
    await this.checkinWriter.write(
      latest.map((row, i) => applianceValues(row, latestReports[i] ?? null)),
      others.map(historyValues),
    );
  }

  async getAppliance(id: string): Promise<ApplianceObservation | null> {
    const row = this.db.prepare(`SELECT ${SQLITE_APPLIANCE_COLUMNS} FROM appliances WHERE id = ?`).raw().get(id) as unknown[] | undefined;
    return row ? applianceDocument(applianceFromSqlite(row)) : null;
  }

  async listCheckins(appliance: string, limit: number): Promise<CheckinHistoryEntry[]> {
    const rows = this.db
      .prepare('SELECT id, appliance, at, report FROM checkin_history WHERE appliance = ? ORDER BY id DESC LIMIT ?')
      .all(appliance, limit) as { id: number; appliance: string; at: number; report: string }[];
    return rows.map((r) => ({ id: r.id, appliance: r.appliance, at: new Date(r.at).toISOString(), report: JSON.parse(r.report) }));
  }

  async pruneCheckinHistory(olderThan: Date, batchSize = DEFAULT_BATCH_SIZE, onBatch?: BatchListener, scope?: HistoryScope): Promise<number> {
    // Ids grow with time, so the oldest rows come first in id order and no index on `at` is needed.
    const among = !scope ? '' : `AND appliance ${'only' in scope ? 'IN' : 'NOT IN'} (SELECT value FROM json_each(@ids))`;
    const remove = this.db.prepare(
      `DELETE FROM checkin_history WHERE id IN (SELECT id FROM checkin_history WHERE at < @at ${among} ORDER BY id LIMIT @limit)`,
    );
    const params = { at: olderThan.getTime(), limit: batchSize, ...(scope && { ids: JSON.stringify('only' in scope ? scope.only : scope.except) }) };
    return batched(batchSize, () => remove.run(params).changes, onBatch);
  }

  async issueToken(applianceId: string, options: { rotate?: boolean } = {}): Promise<string | null> {
    const [issued] = await this.issueTokens([applianceId], options);
    return issued?.token ?? null;
  }

  async issueTokens(applianceIds: readonly string[], options: { rotate?: boolean } = {}): Promise<IssuedToken[]> {
    const { issued, changes } = sqliteIssueTokens(this.db, applianceIds, options, this.clock.now());
    this.tokenListeners.notify(changes);
    return issued;
  }

  async applianceForToken(token: string): Promise<string | null> {
    return sqliteApplianceForToken((sql) => this.statement(sql), token);
  }

  async tokensChangedSince(cursor: number | null): Promise<TokenChanges> {
    return sqliteTokensChangedSince((sql) => this.statement(sql), cursor);
  }

  onTokensChanged(listener: TokenListener): () => void {
    return this.tokenListeners.add(listener);
  }

  async appliancesWithTokens(): Promise<string[]> {
    return this.db.prepare('SELECT appliance FROM tokens ORDER BY appliance').pluck().all() as string[];
  }

  async issueOperatorToken(name: string, options: { rotate?: boolean } = {}): Promise<string | null> {
    return sqliteIssueOperatorToken(this.db, name, options, this.clock.now());
  }

  async operatorForToken(token: string): Promise<string | null> {
    return sqliteOperatorForToken((sql) => this.statement(sql), token);
  }

  async loadObserved(now: Date): Promise<ObservedSnapshot> {
    return sqliteLoadObserved(this.db, now);
  }

  async importState(doc: StateDocument): Promise<{ version: number }> {
    return sqliteImportState(this.db, doc);
  }

  async applyPlan(plan: Plan, options: ApplyPlanOptions): Promise<ApplyPlanResult> {
    return sqliteApplyPlan(this.db, plan, options, this.openFindings);
  }

  async stateVersion(): Promise<number> {
    return this.db.prepare('SELECT version FROM state_version WHERE id = 1').pluck().get() as number;
  }

  async latestPlan(): Promise<SavedPlan | null> {
    return sqliteLatestPlan(this.db);
  }

  async listEvents(query: EventQuery): Promise<StoredEvent[]> {
    return sqliteListEvents(this.db, query);
  }

  async listFindings(options: { includeResolved?: boolean } = {}): Promise<StoredFinding[]> {
    return sqliteListFindings(this.db, options);
  }

  async saveDesiredState(desired: SavedDesiredState): Promise<void> {
    return sqliteSaveDesiredState(this.db, desired);
  }

  async listRevisions(): Promise<RevisionRecord[]> {
    return sqliteListRevisions(this.db);
  }

  async loadDesiredState(): Promise<SavedDesiredState | null> {
    return sqliteLoadDesiredState(this.db);
  }

  async saveSourceStatus(status: SourceStatus): Promise<void> {
    return sqliteSaveSourceStatus(this.db, status);
  }

  async loadSourceStatus(): Promise<SourceStatus | null> {
    return sqliteLoadSourceStatus(this.db);
  }

  async insertProof(proof: NewProof): Promise<{ proof: ProofRow; created: boolean }> {
    return unlessBusy(() => sqliteInsertProof(this.db, proof));
  }

  async pendingProofs(limit: number, options: { includeExpired?: boolean } = {}): Promise<ProofRow[]> {
    return sqlitePendingProofs(this.db, limit, options.includeExpired ?? false);
  }

  async updateProof(id: number, change: ProofChange): Promise<boolean> {
    return sqliteUpdateProof(this.db, id, change);
  }

  async expireProofs(olderThan: Date, batchSize = DEFAULT_BATCH_SIZE, onBatch?: BatchListener): Promise<number> {
    checkBatchSize(batchSize);
    const expired = sqliteExpireProofs(this.db, olderThan);
    this.expiryRewrite.start(batchSize, onBatch);
    return expired;
  }

  async rewriteExpiredProofs(batchSize = DEFAULT_BATCH_SIZE, onBatch?: BatchListener): Promise<number> {
    return this.expiryRewrite.run(batchSize, onBatch);
  }

  async proofStats(now: Date): Promise<ProofStats> {
    return sqliteProofStats(this.db, now);
  }

  async acquireLeadership(): Promise<Leadership> {
    const leadership = acquireSqliteLock(this.description, this.clock);
    this.leaderships.add(leadership);
    return leadership;
  }
}
