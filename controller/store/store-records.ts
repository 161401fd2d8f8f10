// What the Store interface takes and gives: the records of check-ins, tokens, plans, revisions and proofs.
import type { DesiredObject, LoadError, RevisionCommit } from '../desired/types.js';
import type { CheckinRequest, StateDocument } from '../observed/state-schema.js';
import type { NotifyContext } from '../notify/events.js';
import type { Action, ActionType, Finding, Plan } from '../reconcile/plan.js';

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
    /**
     * Pending proofs the plan's ExpireProofs expired, by recording its cutoff in this transaction
     * (absent when the plan expires none; 0 when the recorded cutoff was already as late).
     */
    proofsExpired?: number;
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
