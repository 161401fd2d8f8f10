import type { ApplianceObservation, StateDocument } from '../observed/state-schema.js';
import type { Plan } from '../reconcile/plan.js';
import type { NotificationOutbox } from './outbox.js';
import type {
  ApplyPlanOptions,
  ApplyPlanResult,
  BatchListener,
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
  StoreKind,
  StoredEvent,
  StoredFinding,
  TokenChanges,
  TokenListener,
} from './store-records.js';

export { SchemaTooNewError, StoreLockedError, StoreUnavailableError } from './errors.js';
export * from './store-records.js';

/**
 * Where Muster keeps what it observed and what it did: one interface, two implementations
 * (SQLite in sqlite-store.ts, PostgreSQL in postgres-store.ts), chosen by openStore().
 *
 * Conventions every implementation keeps:
 * - Every method is async; on PostgreSQL, a method called while the server is unreachable rejects
 *   with StoreUnavailableError and later calls succeed again once it is back. On SQLite, the
 *   API's methods (ping, recordCheckins, applianceForToken, insertProof) reject with it when another
 *   process held the write lock past the busy timeout.
 * - Times the store owns (check-in times, finding first/last seen, proof times) are returned as
 *   ISO strings in UTC with milliseconds (`Date.prototype.toISOString`). Times that come from a plan
 *   or an imported document (stage starts, assignment times, latches) are kept exactly as given.
 * - JSON the agent reported (`update`, `retention`) is kept as received.
 */
/** Whose check-in history a prune may delete: the appliances listed, or all but them. */
export type HistoryScope = { only: readonly string[] } | { except: readonly string[] };

export interface Store {
  /** `sqlite` or `postgres`. */
  readonly kind: StoreKind;
  /** The database for messages and logs: the SQLite path, or the PostgreSQL URL without its password. */
  readonly description: string;

  /**
   * Applies every migration the database lacks, in order, in one transaction, recording each in
   * `schema_migrations`. Idempotent. Rejects with SchemaTooNewError when the database is newer than
   * this code; concurrent callers on PostgreSQL are serialized.
   */
  migrate(): Promise<MigrationResult>;
  /** Closes the connections (and releases leadership held through this store). */
  close(): Promise<void>;
  /** Resolves when the database answers a trivial query (readiness). */
  ping(): Promise<void>;

  // --- check-ins -------------------------------------------------------------------------------

  /**
   * Writes a whole batch in ONE transaction: each appliance's latest state is upserted (never moved
   * back to an older check-in; within the batch the latest `at` wins) and an entry is appended to the
   * check-in history when it reports something other than the appliance's check-in before it (the
   * stored one, or the one before it in the batch; see checkin-writes.ts). Resolves only once the
   * transaction is committed (durable).
   */
  recordCheckins(batch: readonly CheckinRecord[]): Promise<void>;
  /** One appliance's latest reported state, or null when it never checked in. */
  getAppliance(id: string): Promise<ApplianceObservation | null>;
  /** An appliance's most recent check-in history rows (the check-ins that changed its report), newest first. */
  listCheckins(appliance: string, limit: number): Promise<CheckinHistoryEntry[]>;
  /**
   * Deletes check-in history older than `olderThan`, `batchSize` rows per short transaction, until
   * none is left; returns how many rows were deleted. `onBatch` hears each batch's count (progress, logs).
   * With `scope`, only the history of the appliances it lists (`only`) or of every other appliance
   * (`except`) is deleted.
   */
  pruneCheckinHistory(olderThan: Date, batchSize?: number, onBatch?: BatchListener, scope?: HistoryScope): Promise<number>;

  // --- tokens ----------------------------------------------------------------------------------

  /**
   * Issues a token for an appliance: `mst_` + 32 random bytes in base64url, returned once and stored
   * only as its sha256. With `rotate`, replaces any existing token (the old one stops working at
   * once); without it, returns null and changes nothing when the appliance already has one.
   */
  issueToken(applianceId: string, options?: { rotate?: boolean }): Promise<string | null>;
  /**
   * Issues tokens for many appliances in ONE transaction, each as issueToken would (without `rotate`,
   * appliances that already have one are skipped). Returns the tokens issued, in the order given
   * (a repeated id counts once).
   */
  issueTokens(applianceIds: readonly string[], options?: { rotate?: boolean }): Promise<IssuedToken[]>;
  /** The appliance a token belongs to, or null for an unknown, rotated or malformed token. */
  applianceForToken(token: string): Promise<string | null>;
  /**
   * Tokens issued or rotated after `cursor` by any process (every token when `cursor` is null), in
   * the order they were committed, and the cursor to pass next time. A reader that sees a change has
   * seen every change committed before it, so polling with the returned cursor misses nothing.
   */
  tokensChangedSince(cursor: number | null): Promise<TokenChanges>;
  /**
   * Calls `listener` with the changes each issueToken/issueTokens call of this store object makes,
   * once committed and before that call resolves (so a cache can drop a rotated token at once).
   * Returns a function that removes the listener.
   */
  onTokensChanged(listener: TokenListener): () => void;
  /** Ids of the appliances holding a token, sorted. */
  appliancesWithTokens(): Promise<string[]>;
  /**
   * Issues an operator's credential for the status page: `mso_` + 32 random bytes in base64url,
   * returned once and stored only as its sha256. With `rotate`, replaces the operator's existing one
   * (which stops working at once); without it, returns null and changes nothing when the operator has one.
   */
  issueOperatorToken(name: string, options?: { rotate?: boolean }): Promise<string | null>;
  /** The operator a credential belongs to, or null for an unknown, rotated or malformed one (an appliance token included). */
  operatorForToken(token: string): Promise<string | null>;

  // --- observed state --------------------------------------------------------------------------

  /**
   * The observed state as one State document (appliances by id, rollouts by name with their
   * assignments in the order they were made, proof counts) read in one consistent snapshot, with
   * the state version it reflects: pass that version to applyPlan. `exportedAt` is `now`.
   */
  loadObserved(now: Date): Promise<ObservedSnapshot>;
  /**
   * Replaces all appliances, rollouts and assignments with the document's, in one transaction, and
   * bumps the state version. Proofs travel as counts: `ots_proofs` is left alone. Export → import →
   * export gives the same document.
   */
  importState(doc: StateDocument): Promise<{ version: number }>;

  // --- applying a plan -------------------------------------------------------------------------

  /**
   * Applies a plan in ONE transaction, only if the state version is still `expectedVersion`
   * (compare-and-increment; otherwise nothing is written and `applied` is false):
   * AssignRelease inserts an assignment at `plan.now`; WithdrawRelease deletes it; AdvanceStage
   * sets the stage and its start (`action.startedAt`); SetPhase sets the phase (creating the
   * rollout at stage 1 started at `plan.now` when absent) and the failure latch (`{specHash}` →
   * `{phase, specHash, at: plan.now}`, null clears it, absent keeps it). Every action is appended
   * to the events log with `revision`; rollout conditions and revisions and findings are saved, and the
   * plan itself when it applies actions, when the revision changed, or when the saved one is
   * LATEST_PLAN_REFRESH_MS (30 s) older than it (so `latestPlan` lags the fleet by at most that). Findings are written only where they change: a new one (or one that had been resolved)
   * opens with first seen = `plan.now`; a changed severity, message or since is rewritten; open ones
   * absent from the plan are resolved; an unchanged one keeps its first seen and has its last seen
   * moved to `plan.now` only once it is LAST_SEEN_REFRESH_MS (5 minutes) old.
   * ExpireProofs records its expiry cutoff in this same transaction (as expireProofs does, counted in
   * `touched.proofsExpired`), so the event and the cutoff commit together and a re-plan never expires
   * the same proofs again; the loop then calls expireProofs(), which finds the cutoff recorded and only
   * starts the batched rewrite of their rows.
   */
  applyPlan(plan: Plan, options: ApplyPlanOptions): Promise<ApplyPlanResult>;
  /** The state version (bumped by every applied plan and every import). */
  stateVersion(): Promise<number>;
  /** The last saved plan (what `muster status` shows; see applyPlan for when a plan is saved), or null. */
  latestPlan(): Promise<SavedPlan | null>;
  /** Events, newest first, optionally only those of one rollout and/or one appliance. */
  listEvents(query: EventQuery): Promise<StoredEvent[]>;
  /** Findings, open ones first then by first seen; resolved ones only when asked. */
  listFindings(options?: { includeResolved?: boolean }): Promise<StoredFinding[]>;

  // --- desired state and source ----------------------------------------------------------------

  /**
   * Records the last applied desired state (replacing the previous one), and its revision in the
   * revision history the first time it is saved, with who made it when given.
   */
  saveDesiredState(desired: SavedDesiredState): Promise<void>;
  /** The last applied desired state, or null before the first one. */
  loadDesiredState(): Promise<SavedDesiredState | null>;
  /** Every revision ever saved as the desired state, oldest first, with who made it when known. */
  listRevisions(): Promise<RevisionRecord[]>;
  /** Records what the source last did (replacing the previous status). */
  saveSourceStatus(status: SourceStatus): Promise<void>;
  /** The source's last recorded status, or null. */
  loadSourceStatus(): Promise<SourceStatus | null>;

  // --- OpenTimestamps proofs -------------------------------------------------------------------

  /**
   * Inserts a proof for a bundle; when the bundle id is already known, changes nothing and returns
   * the stored row with `created: false`.
   */
  insertProof(proof: NewProof): Promise<{ proof: ProofRow; created: boolean }>;
  /**
   * Up to `limit` proofs to upgrade: pending ones (and expired ones with `includeExpired`), those
   * checked least recently first (never checked first, then oldest check, then oldest created).
   */
  pendingProofs(limit: number, options?: { includeExpired?: boolean }): Promise<ProofRow[]>;
  /** Updates the given fields of one proof; false when no such proof. */
  updateProof(id: number, change: ProofChange): Promise<boolean>;
  /**
   * Expires the pending proofs created before `olderThan` and returns how many: records it as the
   * expiry cutoff (a cutoff never moves back) in one short transaction, so that from the moment this
   * resolves every reader — loadObserved, pendingProofs, proofStats, insertProof — sees them expired.
   * Their rows are then rewritten to `expired` in the background (see rewriteExpiredProofs), at most
   * `batchSize` per short transaction; `onBatch` hears each of those batches. Readers see the same
   * before and after the rewrite; an expired proof can still be upgraded (`includeExpired`).
   */
  expireProofs(olderThan: Date, batchSize?: number, onBatch?: BatchListener): Promise<number>;
  /**
   * Rewrites the rows of proofs the cutoff expired but still stored as pending to `expired`, at most
   * `batchSize` per short transaction (on PostgreSQL, rows another transaction holds are skipped and
   * left for the next run), until none is left; returns how many rows it rewrote. Joins the rewrite
   * expireProofs started when one is running. Changes nothing any reader sees.
   */
  rewriteExpiredProofs(batchSize?: number, onBatch?: BatchListener): Promise<number>;
  /** Counts by status, pending proofs by age at `now`, and per calendar answers. */
  proofStats(now: Date): Promise<ProofStats>;

  // --- leadership ------------------------------------------------------------------------------

  /**
   * Tries to become the one controller that acts. PostgreSQL: a session advisory lock on a
   * dedicated connection; resolves null while another replica holds it (stay a follower, try
   * again later). SQLite: an exclusive lock on `<db>.lock`; rejects with StoreLockedError when
   * another controller holds it, because two controllers on one file must not run.
   */
  acquireLeadership(): Promise<Leadership | null>;

  // --- notifications ---------------------------------------------------------------------------

  /** The notification outbox applyPlan writes to (see outbox.ts). */
  readonly outbox: NotificationOutbox;
}
