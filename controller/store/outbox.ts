import { phaseChanges, type NotificationEvent, type OutboxChanges, type PlanChange } from '../notify/events.js';
import type { Finding, Plan } from '../reconcile/plan.js';
import type { FindingChanges } from './finding-changes.js';
import { findingFromRow, type FindingRecord, type FindingRow } from './plan-writes.js';

/**
 * The durable outbox of notifications, on both stores. Rows are added by applyPlan (in the plan's
 * transaction) and worked off by the leader's sender: claimed when due, then delivered, retried
 * later, or given up.
 */
export interface NotificationOutbox {
  /**
   * Up to `limit` rows due at `now` (not delivered, not given up, next attempt at or before now),
   * oldest first; each is claimed for `leaseMs` (its next attempt moved to now + leaseMs, its
   * attempts counted) in the same statement, so no other sender takes it meanwhile.
   */
  claimDue(now: Date, limit: number, leaseMs: number): Promise<OutboxRow[]>;
  /** Records how an attempt ended; a row already delivered or given up is left alone. */
  record(outcome: AttemptOutcome): Promise<void>;
  /** Rows newest first; only undelivered ones (pending) when asked. */
  list(query: { limit: number; pendingOnly?: boolean }): Promise<OutboxRow[]>;
  /** Counts, the oldest pending event, and the notifiers whose last outcome was giving up. */
  stats(): Promise<OutboxStats>;
  /**
   * Deletes rows delivered or given up before `olderThan` and returns how many, except each
   * notifier's newest delivered and newest given-up row (what its NotificationUndeliverable finding
   * is judged by). Pending rows are never deleted.
   */
  prune(olderThan: Date): Promise<number>;
}

export interface OutboxRow {
  seq: number;
  notifier: string;
  id: string;
  subjectKey: string;
  kind: NotificationEvent['event'];
  createdAt: string;
  nextAttemptAt: string;
  attempts: number;
  lastError: string | null;
  deliveredAt: string | null;
  gaveUpAt: string | null;
  event: NotificationEvent;
}

export type AttemptOutcome = { notifier: string; id: string; at: Date } & (
  | { result: 'delivered' }
  | { result: 'retry'; nextAttemptAt: Date; error: string }
  | { result: 'gaveUp'; error: string }
);

export interface OutboxStats {
  pending: number;
  oldestPendingAt: string | null;
  delivered: number;
  gaveUp: number;
  /** Notifiers that gave up on an event after their last delivery: count and first give-up. */
  undeliverable: { notifier: string; count: number; since: string; lastError: string | null }[];
}

/**
 * What a plan changed, as the store sees it while applying it: the findings it opens (new or
 * reopened rows), those it resolves (their rows as they were) and the phases it sets.
 */
export function planChangeOf(plan: Plan, changes: FindingChanges, resolvedRows: readonly FindingRecord[]): PlanChange {
  const asFinding = (row: FindingRow): Finding => findingFromRow({ ...row, firstSeen: '', lastSeen: '', resolvedAt: null });
  return { opened: changes.open.map(asFinding), resolved: resolvedRows.map(asFinding), phases: phaseChanges(plan) };
}

/** The `notifier\0subjectKey` a quiet period holds, as notificationEvents() takes them. */
export function heldKey(notifier: string, subjectKey: string): string {
  return `${notifier}\u0000${subjectKey}`;
}

export type { OutboxChanges };

/** An outbox row as both stores select it: times as epoch milliseconds, `seq` as a number or (PostgreSQL bigint) text. */
export interface OutboxRawRow {
  seq: number | string;
  notifier: string;
  id: string;
  subject_key: string;
  kind: OutboxRow['kind'];
  created_at: number;
  next_attempt_at: number;
  attempts: number;
  last_error: string | null;
  delivered_at: number | null;
  gave_up_at: number | null;
  event: string;
}

/** An epoch-milliseconds time as ISO text, null kept. */
export const isoFromMs = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The row either store selected, as the outbox interface gives it. */
export function outboxRowOf(r: OutboxRawRow): OutboxRow {
  return {
    seq: Number(r.seq),
    notifier: r.notifier,
    id: r.id,
    subjectKey: r.subject_key,
    kind: r.kind,
    createdAt: isoFromMs(r.created_at) as string,
    nextAttemptAt: isoFromMs(r.next_attempt_at) as string,
    attempts: r.attempts,
    lastError: r.last_error,
    deliveredAt: isoFromMs(r.delivered_at),
    gaveUpAt: isoFromMs(r.gave_up_at),
    event: JSON.parse(r.event),
  };
}
