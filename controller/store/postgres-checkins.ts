import type pg from 'pg';
import { batched } from './batches.js';
import { checkinWrites } from './checkin-writes.js';
import type { ApplianceRow } from './observed-document.js';
import { preparedRows, rows } from './postgres-rows.js';
import type { BatchListener, CheckinHistoryEntry, CheckinRecord, HistoryScope } from './store.js';

/**
 * One statement, one round trip, one transaction for a whole batch: the history rows that changed and
 * the appliance upserts together. Every part sees the rows as they were before the statement, so a
 * history candidate is compared with the appliance's stored report, not with its own upsert. The
 * candidates are the upserted rows that carry a report ($17, the usual case: nothing sent twice)
 * and the few others of appliances that checked in more than once in the batch ($1–$9), which go first.
 */
const RECORD_CHECKINS_SQL = `WITH candidates AS (
   SELECT o.appliance, o.at, o.report, o.forced, o.agent, o.image, o.upd, o.defer, o.ret, o.n
   FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::bool[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
     WITH ORDINALITY AS o(appliance, at, report, forced, agent, image, upd, defer, ret, n)
   UNION ALL
   SELECT u.id, u.at, u.report, false, u.agent, u.image, u.upd, u.defer, u.ret, u.n + 1000000
   FROM unnest($10::text[], $11::timestamptz[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[])
     WITH ORDINALITY AS u(id, at, agent, image, upd, defer, ret, report, n)
   WHERE u.report IS NOT NULL
 ), history AS (
   INSERT INTO checkin_history (appliance, at, report)
   SELECT c.appliance, c.at, c.report::json FROM candidates c
   WHERE c.forced OR NOT EXISTS (
     SELECT 1 FROM appliances a WHERE a.id = c.appliance AND a.agent_version IS NOT DISTINCT FROM c.agent
       AND a.image_version IS NOT DISTINCT FROM c.image AND a.update_report::text IS NOT DISTINCT FROM c.upd
       AND a.defer_until IS NOT DISTINCT FROM c.defer AND a.retention::text IS NOT DISTINCT FROM c.ret)
   ORDER BY c.n
 )
 INSERT INTO appliances (id, last_checkin_at, agent_version, image_version, update_report, defer_until, retention)
 SELECT u.id, u.at, u.agent, u.image, u.upd::json, u.defer, u.ret::json
 FROM unnest($10::text[], $11::timestamptz[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[])
   AS u(id, at, agent, image, upd, defer, ret)
 ON CONFLICT (id) DO UPDATE SET last_checkin_at = excluded.last_checkin_at, agent_version = excluded.agent_version,
   image_version = excluded.image_version, update_report = excluded.update_report, defer_until = excluded.defer_until,
   retention = excluded.retention
 WHERE appliances.last_checkin_at <= excluded.last_checkin_at`;

/** Records a batch of check-ins (see Store.recordCheckins) as one prepared statement. */
export async function pgRecordCheckins(pool: pg.Pool, batch: readonly CheckinRecord[]): Promise<void> {
  if (batch.length === 0) return;
  const { latest, latestReports, others } = checkinWrites(batch);
  // Sorted so that concurrent batches (several replicas) lock appliance rows in one order: no deadlock.
  const order = latest.map((_, i) => i).sort((i, j) => byId(latest[i] as ApplianceRow, latest[j] as ApplianceRow));
  const sorted = order.map((i) => latest[i] as ApplianceRow);
  const otherRows = others.map((h) => h.row);
  // Prepared once per connection, as the API runs it many times a second.
  await preparedRows(pool, 'muster_record_checkins', RECORD_CHECKINS_SQL, [
    otherRows.map((r) => r.id),
    otherRows.map((r) => new Date(r.lastCheckinMs).toISOString()),
    others.map((h) => h.report),
    others.map((h) => h.forced),
    ...reported(otherRows),
    sorted.map((r) => r.id),
    sorted.map((r) => new Date(r.lastCheckinMs).toISOString()),
    ...reported(sorted),
    order.map((i) => latestReports[i] ?? null),
  ]);
}

const byId = (a: ApplianceRow, b: ApplianceRow) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** The reported columns of rows, one array each, in the appliances table's order. */
function reported(list: readonly ApplianceRow[]): (string | null)[][] {
  return [
    list.map((r) => r.agentVersion),
    list.map((r) => r.imageVersion),
    list.map((r) => r.update),
    list.map((r) => r.deferUntil),
    list.map((r) => r.retention),
  ];
}

/** An appliance's most recent check-in history rows, newest first. */
export async function pgListCheckins(pool: pg.Pool, appliance: string, limit: number): Promise<CheckinHistoryEntry[]> {
  const found = await rows<{ id: string; appliance: string; at: Date; report: string }>(
    pool,
    'SELECT id, appliance, at, report::text AS report FROM checkin_history WHERE appliance = $1 ORDER BY id DESC LIMIT $2',
    [appliance, limit],
  );
  return found.map((r) => ({ id: Number(r.id), appliance: r.appliance, at: r.at.toISOString(), report: JSON.parse(r.report) }));
}

/** Deletes history older than `olderThan` in short batches (see Store.pruneCheckinHistory). */
export async function pgPruneCheckinHistory(
  pool: pg.Pool,
  olderThan: Date,
  batchSize: number,
  onBatch?: BatchListener,
  scope?: HistoryScope,
): Promise<number> {
  // Ids grow with time: the oldest rows come first in id order, so no index on `at` is needed.
  const among = !scope ? '' : 'only' in scope ? 'AND appliance = ANY($3::text[])' : 'AND NOT (appliance = ANY($3::text[]))';
  const params: unknown[] = [olderThan, batchSize, ...(scope ? ['only' in scope ? scope.only : scope.except] : [])];
  return batched(
    batchSize,
    async () => {
      const deleted = await rows<{ n: number }>(
        pool,
        `WITH gone AS (
           DELETE FROM checkin_history WHERE id IN (
             SELECT id FROM checkin_history WHERE at < $1 ${among} ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
           RETURNING 1
         ) SELECT count(*)::int AS n FROM gone`,
        params,
      );
      return deleted[0]?.n ?? 0;
    },
    onBatch,
  );
}
