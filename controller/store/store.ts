import type { DesiredObject, LoadError, RevisionCommit } from '../desired/types.js';
import type { ApplianceObservation, CheckinRequest, StateDocument } from '../observed/state-schema.js';
import type { NotifyContext } from '../notify/events.js';
import type { Action, ActionType, Finding, Plan } from '../reconcile/plan.js';
import type { NotificationOutbox } from './outbox.js';

export { SchemaTooNewError, StoreLockedError, StoreUnavailableError } from './errors.js';

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
   * back to an older check-in; within the batch the latest `at` wins) and every entry is appended to
   * the check-in history. Resolves only once the transaction is committed (durable).
   */
  recordCheckins(batch: readonly CheckinRecord[]): Promise<void>;
  /** One appliance's latest reported state, or null when it never checked in. */
  getAppliance(id: string): Promise<ApplianceObservation | null>;
  /** An appliance's most recent check-ins, newest first. */
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
   * ExpireProofs is only logged here: the loop runs expireProofs() afterwards, outside this transaction.
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

export type StoreKind = 'sqlite' | 'postgres';

/** Told how many rows each committed batch of a batch job touched. */
export type BatchListener = (changed: number) => void;

/** Held leadership. Losing it is reported at once; a lost leadership is never regained. */
export interface Leadership {
  /** False from the moment the lock is lost or released. */
  isLeader(): boolean;
  /** Calls `listener` once when the lock is lost (connection error or end); not on release(). */
  onLost(listener: (reason: Error) => void): void;
  /** Gives the lock up (and closes its connection). */
  release(): Promise<void>;
}

export interface MigrationResult {
  /** Versions applied by this call, in order (empty when up to date). */
  applied: number[];
  /** The schema version after the call. */
  version: number;
}

/** One check-in as the API accepted it: the appliance comes from the token, `at` from the clock. */
export interface CheckinRecord {
  appliance: string;
  report: CheckinRequest;
  at: Date;
}

export interface IssuedToken {
  appliance: string;
  token: string;
}

/** One appliance's token as a change wrote it: its sha256, and the change's place in commit order. */
export interface TokenChange {
  appliance: string;
  tokenSha256: string;
  seq: number;
}

export interface TokenChanges {
  changes: TokenChange[];
  /** Pass this to the next tokensChangedSince call (unchanged when nothing changed). */
  cursor: number | null;
}

export type TokenListener = (changes: readonly TokenChange[]) => void;

export interface CheckinHistoryEntry {
  id: number;
  appliance: string;
  at: string;
  /** The report as received, without `id`. */
  report: CheckinRequest;
}

export interface ObservedSnapshot {
  state: StateDocument;
  version: number;
}

export interface ApplyPlanOptions {
  /** The desired-state revision the plan was computed from (recorded on every event). */
  revision: string | null;
  /** The version returned by the loadObserved() this plan was computed from. */
  expectedVersion: number;
  /**
   * The notifiers in force: the outbox rows the plan's changes call for (findings opened or
   * resolved, phases entered; see notificationEvents) are written in the same transaction.
   */
  notify?: NotifyContext;
}

export interface ApplyPlanResult {
  /** False when the state version had moved on: nothing was written. */
  applied: boolean;
  /** The state version after the call (the current one when nothing was applied). */
  version: number;
  touched: {
    rollouts: string[];
    appliances: string[];
    events: number;
    findingsOpened: number;
    findingsResolved: number;
    /** Outbox rows written (absent when there was nothing to notify). */
    notifications?: number;
  };
}

export interface SavedPlan {
  plan: Plan;
  revision: string | null;
  version: number;
  savedAt: string;
}

export interface EventQuery {
  rollout?: string;
  appliance?: string;
  limit: number;
}

export interface StoredEvent {
  id: number;
  /** The plan's `now`. */
  at: string;
  revision: string | null;
  type: ActionType;
  rollout: string | null;
  appliance: string | null;
  /** The action as the plan held it. */
  detail: Action;
}

export interface StoredFinding extends Finding {
  /** Type and subject: `type/appliance/rollout/policy`. */
  key: string;
  firstSeen: string;
  lastSeen: string;
  resolvedAt: string | null;
}

export interface SavedDesiredState {
  revision: string;
  objects: DesiredObject[];
  appliedAt: string;
  /** Who made the revision (git source): recorded in the revision history, not returned by loadDesiredState. */
  commit?: RevisionCommit;
}

/** A revision the controller applied, when first, and who made it (git source). */
export interface RevisionRecord {
  revision: string;
  firstAppliedAt: string;
  commit: RevisionCommit | null;
}

export interface SourceStatus {
  lastAppliedRevision: string | null;
  lastAttemptedRevision: string | null;
  /** Load errors of the last attempted revision (empty when it was good). */
  errors: LoadError[];
  at: string;
}

export const PROOF_STATUSES = ['pending', 'anchored', 'expired', 'failed'] as const;
export type ProofStatus = (typeof PROOF_STATUSES)[number];

/** A calendar's last answer for one proof, kept per calendar URL in `ProofRow.calendars`. */
export interface CalendarProofState {
  /**
   * submitted: the calendar accepted the digest; pending: "Pending confirmation"; waiting: "Timestamped
   * by transaction …; waiting for confirmations"; upgraded: it returned an upgrade; notFound: "Not
   * found" (an OtsCalendarNotFound finding); error: no usable answer (timeout, 5xx…).
   */
  answer: 'submitted' | 'pending' | 'waiting' | 'upgraded' | 'notFound' | 'error';
  /** When that answer came. */
  at: string;
  /** Since when the answer has been the same. */
  since: string;
  attempts?: number;
  message?: string;
}

export interface NewProof {
  bundleId: string;
  /** Lowercase hex. */
  bundleSha256: string;
  status: ProofStatus;
  createdAt: Date;
  /** The serialized `.ots` proof. */
  proof: Uint8Array;
  calendars: Record<string, CalendarProofState>;
}

export interface ProofRow {
  id: number;
  bundleId: string;
  bundleSha256: string;
  status: ProofStatus;
  createdAt: string;
  /** When a Bitcoin attestation was stored. */
  upgradedAt: string | null;
  /** When an upgrade was last attempted. */
  checkedAt: string | null;
  proof: Buffer;
  calendars: Record<string, CalendarProofState>;
}

export interface ProofChange {
  status?: ProofStatus;
  proof?: Uint8Array;
  calendars?: Record<string, CalendarProofState>;
  upgradedAt?: Date | null;
  checkedAt?: Date | null;
}

export interface ProofStats {
  byStatus: Record<ProofStatus, number>;
  /** Pending proofs by age at `now`: [0, 1h), [1h, 1d), [1d, 7d), [7d, ∞). */
  pendingByAge: { label: string; minAgeMs: number; maxAgeMs: number | null; count: number }[];
  oldestPendingAt: string | null;
  /** Per calendar URL: how many proofs' last answer from it was each kind. */
  calendars: { calendar: string; answers: Partial<Record<CalendarProofState['answer'], number>> }[];
}
