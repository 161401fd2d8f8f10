import type pg from 'pg';
import { notificationEvents, type NotifyContext } from '../notify/events.js';
import type { Plan } from '../reconcile/plan.js';
import type { FindingChanges } from './finding-changes.js';
import { heldKey, isoFromMs as iso, outboxRowOf, planChangeOf, type AttemptOutcome, type NotificationOutbox, type OutboxRawRow, type OutboxRow, type OutboxStats } from './outbox.js';
import type { FindingRecord } from './plan-writes.js';
import { rows } from './postgres-rows.js';

const PENDING = 'delivered_at IS NULL AND gave_up_at IS NULL';
const ms = (column: string) => `(extract(epoch FROM ${column}) * 1000)::float8`;
/** The columns of a row, times as ms; `p` prefixes each (an UPDATE … FROM needs it). */
const rowColumns = (p = '') => `${p}seq, ${p}notifier, ${p}id, ${p}subject_key, ${p}kind, ${ms(`${p}created_at`)} AS created_at,
  ${ms(`${p}next_attempt_at`)} AS next_attempt_at, ${p}attempts, ${p}last_error, ${ms(`${p}delivered_at`)} AS delivered_at,
  ${ms(`${p}gave_up_at`)} AS gave_up_at, ${p}event::text AS event`;

/**
 * Adds the outbox rows a plan calls for, inside the transaction that applies it (after its findings
 * are written): see notificationEvents(). Returns how many rows were added.
 */
export async function pgWriteOutbox(client: pg.ClientBase, plan: Plan, changes: FindingChanges, ctx: NotifyContext): Promise<number> {
  const resolvedRows = changes.resolve.length
    ? await rows<FindingRecord>(
        client,
        `SELECT key, type, severity, appliance, rollout, policy, calendar, since, message, first_seen AS "firstSeen", last_seen AS "lastSeen",
                resolved_at AS "resolvedAt" FROM findings WHERE key = ANY($1::text[])`,
        [changes.resolve],
      )
    : [];
  const change = planChangeOf(plan, changes, resolvedRows);
  const held = new Set<string>();
  if (changes.open.length && ctx.notifiers.some((n) => n.quietPeriodMs > 0)) {
    const found = await rows<{ notifier: string; subject_key: string }>(
      client,
      `SELECT notifier, subject_key FROM notification_outbox WHERE ${PENDING} AND kind = 'finding.resolved'`,
    );
    for (const r of found) held.add(heldKey(r.notifier, r.subject_key));
  }
  const out = notificationEvents(change, ctx, plan.now, held);
  for (const c of out.cancel) {
    await rows(client, `DELETE FROM notification_outbox WHERE notifier = $1 AND subject_key = $2 AND kind = 'finding.resolved' AND ${PENDING}`, [
      c.notifier,
      c.subjectKey,
    ]);
  }
  if (out.add.length) {
    await rows(
      client,
      `INSERT INTO notification_outbox (notifier, id, subject_key, kind, created_at, next_attempt_at, event)
       SELECT u.notifier, u.id, u.subject_key, u.kind, $5::timestamptz, u.not_before, u.event::json
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $6::timestamptz[], $7::text[]) WITH ORDINALITY
         AS u(notifier, id, subject_key, kind, not_before, event, n)
       ORDER BY u.n ON CONFLICT (notifier, id) DO NOTHING`,
      [
        out.add.map((e) => e.notifier),
        out.add.map((e) => e.id),
        out.add.map((e) => e.subjectKey),
        out.add.map((e) => e.event.event),
        plan.now,
        out.add.map((e) => e.notBefore),
        out.add.map((e) => JSON.stringify(e.event)),
      ],
    );
  }
  return out.add.length;
}



/** The outbox on PostgreSQL: claims skip rows another replica's claim holds (FOR UPDATE SKIP LOCKED). */
export class PostgresOutbox implements NotificationOutbox {
  constructor(private readonly pool: pg.Pool) {}

  async claimDue(now: Date, limit: number, leaseMs: number): Promise<OutboxRow[]> {
    const found = await rows<OutboxRawRow>(
      this.pool,
      `WITH due AS (
         SELECT seq FROM notification_outbox WHERE ${PENDING} AND next_attempt_at <= $1 ORDER BY next_attempt_at, seq LIMIT $3 FOR UPDATE SKIP LOCKED
       )
       UPDATE notification_outbox o SET next_attempt_at = $2, attempts = attempts + 1 FROM due WHERE o.seq = due.seq
       RETURNING ${rowColumns('o.')}`,
      [now, new Date(now.getTime() + leaseMs), limit],
    );
    return found.map(outboxRowOf).sort((a, b) => a.seq - b.seq);
  }

  async record(outcome: AttemptOutcome): Promise<void> {
    const where = `WHERE notifier = $1 AND id = $2 AND ${PENDING}`;
    const base = [outcome.notifier, outcome.id, outcome.at];
    if (outcome.result === 'delivered') await rows(this.pool, `UPDATE notification_outbox SET delivered_at = $3, last_error = NULL ${where}`, base);
    else if (outcome.result === 'retry') {
      await rows(this.pool, `UPDATE notification_outbox SET next_attempt_at = $3, last_error = $4 ${where}`, [
        outcome.notifier,
        outcome.id,
        outcome.nextAttemptAt,
        outcome.error,
      ]);
    } else await rows(this.pool, `UPDATE notification_outbox SET gave_up_at = $3, last_error = $4 ${where}`, [...base, outcome.error]);
  }

  async list(query: { limit: number; pendingOnly?: boolean }): Promise<OutboxRow[]> {
    const found = await rows<OutboxRawRow>(
      this.pool,
      `SELECT ${rowColumns()} FROM notification_outbox ${query.pendingOnly ? `WHERE ${PENDING}` : ''} ORDER BY seq DESC LIMIT $1`,
      [query.limit],
    );
    return found.map(outboxRowOf);
  }

  async prune(olderThan: Date): Promise<number> {
    const deleted = await rows<{ seq: string }>(
      this.pool,
      `DELETE FROM notification_outbox o WHERE (delivered_at < $1 OR gave_up_at < $1)
         -- the newest delivery and the newest give-up of each notifier stay: stats() compares them
         AND EXISTS (SELECT 1 FROM notification_outbox l WHERE l.notifier = o.notifier AND (l.delivered_at > o.delivered_at OR l.gave_up_at > o.gave_up_at))
       RETURNING seq`,
      [olderThan],
    );
    return deleted.length;
  }

  async stats(): Promise<OutboxStats> {
    const [counts] = await rows<{ pending: string; oldest: number | null; delivered: string; gave_up: string }>(
      this.pool,
      `SELECT count(*) FILTER (WHERE ${PENDING}) AS pending, ${ms(`min(created_at) FILTER (WHERE ${PENDING})`)} AS oldest,
              count(delivered_at) AS delivered, count(gave_up_at) AS gave_up FROM notification_outbox`,
    );
    const undeliverable = await rows<{ notifier: string; count: string; since: number; last_error: string | null }>(
      this.pool,
      `SELECT o.notifier, count(*) AS count, ${ms('min(o.gave_up_at)')} AS since,
              (SELECT last_error FROM notification_outbox l WHERE l.notifier = o.notifier AND l.gave_up_at IS NOT NULL ORDER BY l.gave_up_at DESC LIMIT 1) AS last_error
       FROM notification_outbox o
       WHERE o.gave_up_at > coalesce((SELECT max(delivered_at) FROM notification_outbox d WHERE d.notifier = o.notifier), '-infinity')
       GROUP BY o.notifier ORDER BY o.notifier COLLATE "C"`,
    );
    return {
      pending: Number(counts?.pending ?? 0),
      oldestPendingAt: iso(counts?.oldest ?? null),
      delivered: Number(counts?.delivered ?? 0),
      gaveUp: Number(counts?.gave_up ?? 0),
      undeliverable: undeliverable.map((u) => ({ notifier: u.notifier, count: Number(u.count), since: iso(u.since) as string, lastError: u.last_error })),
    };
  }
}
