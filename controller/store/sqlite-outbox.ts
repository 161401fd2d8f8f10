import type Database from 'better-sqlite3';
import { notificationEvents, type NotifyContext } from '../notify/events.js';
import type { Plan } from '../reconcile/plan.js';
import type { FindingChanges } from './finding-changes.js';
import { heldKey, isoFromMs as iso, outboxRowOf, planChangeOf, type AttemptOutcome, type NotificationOutbox, type OutboxRawRow, type OutboxRow, type OutboxStats } from './outbox.js';
import type { FindingRecord } from './plan-writes.js';

const FINDING_COLUMNS = `key, type, severity, appliance, rollout, policy, calendar, since, message, first_seen AS firstSeen, last_seen AS lastSeen,
  resolved_at AS resolvedAt`;
const PENDING = 'delivered_at IS NULL AND gave_up_at IS NULL';

/**
 * Adds the outbox rows a plan calls for, inside the transaction that applies it (after its findings
 * are written): see notificationEvents(). Returns how many rows were added.
 */
export function sqliteWriteOutbox(db: Database.Database, plan: Plan, changes: FindingChanges, ctx: NotifyContext): number {
  const resolvedRows = changes.resolve.length
    ? (db.prepare(`SELECT ${FINDING_COLUMNS} FROM findings WHERE key IN (SELECT value FROM json_each(?))`).all(JSON.stringify(changes.resolve)) as FindingRecord[])
    : [];
  const change = planChangeOf(plan, changes, resolvedRows);
  const held = new Set<string>();
  if (changes.open.length && ctx.notifiers.some((n) => n.quietPeriodMs > 0)) {
    const rows = db.prepare(`SELECT notifier, subject_key FROM notification_outbox WHERE ${PENDING} AND kind = 'finding.resolved'`).raw().all() as [string, string][];
    for (const [notifier, subjectKey] of rows) held.add(heldKey(notifier, subjectKey));
  }
  const out = notificationEvents(change, ctx, plan.now, held);
  const cancel = db.prepare(`DELETE FROM notification_outbox WHERE notifier = ? AND subject_key = ? AND kind = 'finding.resolved' AND ${PENDING}`);
  for (const c of out.cancel) cancel.run(c.notifier, c.subjectKey);
  const insert = db.prepare(
    `INSERT INTO notification_outbox (notifier, id, subject_key, kind, created_at, next_attempt_at, event)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (notifier, id) DO NOTHING`,
  );
  for (const e of out.add) insert.run(e.notifier, e.id, e.subjectKey, e.event.event, Date.parse(plan.now), Date.parse(e.notBefore), JSON.stringify(e.event));
  return out.add.length;
}



/** The outbox on SQLite: each call one short IMMEDIATE transaction. */
export class SqliteOutbox implements NotificationOutbox {
  constructor(private readonly db: Database.Database) {}

  async claimDue(now: Date, limit: number, leaseMs: number): Promise<OutboxRow[]> {
    const rows = this.db
      .prepare(
        `UPDATE notification_outbox SET next_attempt_at = @lease, attempts = attempts + 1
         WHERE seq IN (SELECT seq FROM notification_outbox WHERE ${PENDING} AND next_attempt_at <= @now ORDER BY next_attempt_at, seq LIMIT @limit)
         RETURNING *`,
      )
      .all({ now: now.getTime(), lease: now.getTime() + leaseMs, limit }) as OutboxRawRow[];
    return rows.map(outboxRowOf).sort((a, b) => a.seq - b.seq);
  }

  async record(outcome: AttemptOutcome): Promise<void> {
    const at = outcome.at.getTime();
    const where = `WHERE notifier = @notifier AND id = @id AND ${PENDING}`;
    const params = { notifier: outcome.notifier, id: outcome.id, at };
    if (outcome.result === 'delivered') this.db.prepare(`UPDATE notification_outbox SET delivered_at = @at, last_error = NULL ${where}`).run(params);
    else if (outcome.result === 'retry') {
      this.db.prepare(`UPDATE notification_outbox SET next_attempt_at = @next, last_error = @error ${where}`).run({ ...params, next: outcome.nextAttemptAt.getTime(), error: outcome.error });
    } else this.db.prepare(`UPDATE notification_outbox SET gave_up_at = @at, last_error = @error ${where}`).run({ ...params, error: outcome.error });
  }

  async list(query: { limit: number; pendingOnly?: boolean }): Promise<OutboxRow[]> {
    const rows = this.db
      .prepare(`SELECT * FROM notification_outbox ${query.pendingOnly ? `WHERE ${PENDING}` : ''} ORDER BY seq DESC LIMIT ?`)
      .all(query.limit) as OutboxRawRow[];
    return rows.map(outboxRowOf);
  }

  async prune(olderThan: Date): Promise<number> {
    return this.db
      .prepare(
        `DELETE FROM notification_outbox AS o WHERE (delivered_at < @cutoff OR gave_up_at < @cutoff)
           -- the newest delivery and the newest give-up of each notifier stay: stats() compares them
           AND EXISTS (SELECT 1 FROM notification_outbox l WHERE l.notifier = o.notifier AND (l.delivered_at > o.delivered_at OR l.gave_up_at > o.gave_up_at))`,
      )
      .run({ cutoff: olderThan.getTime() }).changes;
  }

  async stats(): Promise<OutboxStats> {
    const counts = this.db
      .prepare(
        `SELECT count(*) FILTER (WHERE ${PENDING}) AS pending, min(created_at) FILTER (WHERE ${PENDING}) AS oldest,
                count(delivered_at) AS delivered, count(gave_up_at) AS gaveUp FROM notification_outbox`,
      )
      .get() as { pending: number; oldest: number | null; delivered: number; gaveUp: number };
    const undeliverable = this.db
      .prepare(
        `SELECT o.notifier, count(*) AS count, min(o.gave_up_at) AS since,
                (SELECT last_error FROM notification_outbox l WHERE l.notifier = o.notifier AND l.gave_up_at IS NOT NULL ORDER BY l.gave_up_at DESC LIMIT 1) AS lastError
         FROM notification_outbox o
         WHERE o.gave_up_at > coalesce((SELECT max(delivered_at) FROM notification_outbox d WHERE d.notifier = o.notifier), -1)
         GROUP BY o.notifier ORDER BY o.notifier`,
      )
      .all() as { notifier: string; count: number; since: number; lastError: string | null }[];
    return {
      pending: counts.pending,
      oldestPendingAt: iso(counts.oldest),
      delivered: counts.delivered,
      gaveUp: counts.gaveUp,
      undeliverable: undeliverable.map((u) => ({ ...u, since: iso(u.since) as string })),
    };
  }
}
