import type pg from 'pg';
import { calendarAnswers, countsFromCounters, hasNotFound, pendingAgeRanges } from './proof-rows.js';
import { rows, withTransaction } from './postgres-rows.js';
import type { NewProof, ProofChange, ProofRow, ProofStats, ProofStatus } from './store.js';

/**
 * The recorded expiry cutoff (see pgExpireProofs), read once per statement. A row stored as pending
 * and created before it is an expired proof, whatever its `status` column says until it is rewritten.
 */
const CUTOFF = '(SELECT cutoff FROM ots_expiry WHERE id = 1)';

/** A proof's status as every reader sees it: the stored one, with the cutoff applied. */
export const PG_PROOF_STATUS = `CASE WHEN status = 'pending' AND created_at < ${CUTOFF} THEN 'expired' ELSE status END`;

/** Where a row is a pending proof (pending and not behind the cutoff): a range on the pending index. */
export const PG_PENDING = `status = 'pending' AND created_at >= ${CUTOFF}`;

const PROOF_COLUMNS = `id, bundle_id, bundle_sha256, ${PG_PROOF_STATUS} AS status, created_at, upgraded_at, checked_at, proof, calendars`;

interface PgProofRow {
  id: string;
  bundle_id: string;
  bundle_sha256: string;
  status: ProofStatus;
  created_at: Date;
  upgraded_at: Date | null;
  checked_at: Date | null;
  proof: Buffer;
  calendars: ProofRow['calendars'];
}

function proofFromRow(row: PgProofRow): ProofRow {
  return {
    id: Number(row.id),
    bundleId: row.bundle_id,
    bundleSha256: row.bundle_sha256,
    status: row.status,
    createdAt: row.created_at.toISOString(),
    upgradedAt: row.upgraded_at?.toISOString() ?? null,
    checkedAt: row.checked_at?.toISOString() ?? null,
    proof: row.proof,
    calendars: row.calendars,
  };
}

/** Inserts a proof unless its bundle id is known; returns the stored row either way. */
export async function pgInsertProof(pool: pg.Pool, proof: NewProof): Promise<{ proof: ProofRow; created: boolean }> {
  const [inserted] = await rows<PgProofRow>(
    pool,
    `INSERT INTO ots_proofs (bundle_id, bundle_sha256, status, created_at, proof, calendars, not_found)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (bundle_id) DO NOTHING RETURNING ${PROOF_COLUMNS}`,
    [
      proof.bundleId,
      proof.bundleSha256,
      proof.status,
      proof.createdAt,
      Buffer.from(proof.proof),
      JSON.stringify(proof.calendars),
      hasNotFound(proof.calendars),
    ],
  );
  if (inserted) return { proof: proofFromRow(inserted), created: true };
  const [existing] = await rows<PgProofRow>(pool, `SELECT ${PROOF_COLUMNS} FROM ots_proofs WHERE bundle_id = $1`, [proof.bundleId]);
  if (!existing) throw new Error(`proof for bundle ${proof.bundleId} neither inserted nor found`);
  return { proof: proofFromRow(existing), created: false };
}

/** Proofs to upgrade, least recently checked first. */
export async function pgPendingProofs(pool: pg.Pool, limit: number, includeExpired: boolean): Promise<ProofRow[]> {
  const found = await rows<PgProofRow>(
    pool,
    `SELECT ${PROOF_COLUMNS} FROM ots_proofs WHERE ${includeExpired ? "status IN ('pending', 'expired')" : PG_PENDING}
     ORDER BY checked_at NULLS FIRST, created_at, id LIMIT $1`,
    [limit],
  );
  return found.map(proofFromRow);
}

/** Updates the fields given; false when the proof does not exist. */
export async function pgUpdateProof(pool: pg.Pool, id: number, change: ProofChange): Promise<boolean> {
  const sets: string[] = [];
  const values: unknown[] = [];
  const set = (column: string, value: unknown) => {
    values.push(value);
    sets.push(`${column} = $${values.length}`);
  };
  if (change.status !== undefined) set('status', change.status);
  if (change.proof !== undefined) set('proof', Buffer.from(change.proof));
  if (change.calendars !== undefined) {
    set('calendars', JSON.stringify(change.calendars));
    set('not_found', hasNotFound(change.calendars));
  }
  if (change.upgradedAt !== undefined) set('upgraded_at', change.upgradedAt);
  if (change.checkedAt !== undefined) set('checked_at', change.checkedAt);
  values.push(id);
  const sql =
    sets.length === 0
      ? `SELECT 1 FROM ots_proofs WHERE id = $1`
      : `UPDATE ots_proofs SET ${sets.join(', ')} WHERE id = $${values.length} RETURNING 1`;
  return (await rows(pool, sql, values)).length === 1;
}

/**
 * Records `olderThan` as the expiry cutoff unless the recorded one is later, in one short transaction,
 * and returns how many pending proofs it expired (see pgRecordExpiryCutoff). Committed, every reader
 * applies it.
 */
export async function pgExpireProofs(pool: pg.Pool, olderThan: Date): Promise<number> {
  return withTransaction(pool, (client) => pgRecordExpiryCutoff(client, olderThan));
}

/**
 * Inside the caller's transaction: records `olderThan` as the expiry cutoff unless the recorded one
 * is later, and returns how many pending proofs that expired: those created between the old cutoff
 * and the new one (counted on the pending index, not rewritten). A plan's apply calls it for its
 * ExpireProofs, so the cutoff commits with the event that logs it.
 */
export async function pgRecordExpiryCutoff(client: pg.ClientBase, olderThan: Date): Promise<number> {
  // Locked first, so two callers count disjoint ranges.
  const [lock] = await rows<{ later: boolean }>(client, 'SELECT cutoff >= $1 AS later FROM ots_expiry WHERE id = 1 FOR UPDATE', [olderThan]);
  if (!lock || lock.later) return 0;
  const [counted] = await rows<{ n: number }>(client, `SELECT count(*)::int AS n FROM ots_proofs WHERE ${PG_PENDING} AND created_at < $1`, [olderThan]);
  await rows(client, 'UPDATE ots_expiry SET cutoff = $1 WHERE id = 1', [olderThan]);
  return counted?.n ?? 0;
}

/**
 * Rewrites at most `batchSize` rows the cutoff expired but that are still stored as pending, in one
 * autocommit statement, skipping rows another transaction holds (an upgrade: a later run takes them).
 */
export async function pgRewriteExpiredBatch(pool: pg.Pool, batchSize: number): Promise<number> {
  const [row] = await rows<{ n: number }>(
    pool,
    `WITH rewritten AS (
       UPDATE ots_proofs p SET status = 'expired'
       FROM (SELECT id FROM ots_proofs WHERE status = 'pending' AND created_at < ${CUTOFF} LIMIT $1 FOR UPDATE SKIP LOCKED) behind
       WHERE p.id = behind.id AND p.status = 'pending'
       RETURNING 1
     ) SELECT count(*)::int AS n FROM rewritten`,
    [batchSize],
  );
  return row?.n ?? 0;
}

/**
 * Counts by status (from the stored counters and the pending index: no scan of settled proofs),
 * pending by age, answers per calendar (pending proofs only), in one snapshot.
 */
export async function pgProofStats(pool: pg.Pool, now: Date): Promise<ProofStats> {
  return withTransaction(
    pool,
    async (client) => {
      const ranges = pendingAgeRanges(now);
      const filters = ranges.map(
        (_r, i) => `count(*) FILTER (WHERE created_at <= $${2 * i + 1} AND ($${2 * i + 2}::timestamptz IS NULL OR created_at > $${2 * i + 2}))::int AS b${i}`,
      );
      const [aged] = await rows<Record<string, number | Date | null>>(
        client,
        `SELECT ${filters.join(', ')}, count(*)::int AS pending, min(created_at) AS oldest FROM ots_proofs WHERE ${PG_PENDING}`,
        ranges.flatMap((r) => [new Date(r.createdUpToMs), r.createdAfterMs === null ? null : new Date(r.createdAfterMs)]),
      );
      const answers = await rows<{ calendar: string; answer: string; count: number }>(
        client,
        `SELECT c.key AS calendar, c.value->>'answer' AS answer, count(*)::int AS count
         FROM ots_proofs p, jsonb_each(p.calendars) c WHERE ${PG_PENDING} GROUP BY 1, 2`,
      );
      const oldest = aged?.oldest as Date | null | undefined;
      const counters = await rows<{ status: string; count: number }>(client, 'SELECT status, count::int AS count FROM ots_proof_counts');
      const byStatus = countsFromCounters(counters, Number(aged?.pending ?? 0));
      return {
        byStatus,
        pendingByAge: ranges.map((r, i) => ({ label: r.label, minAgeMs: r.minAgeMs, maxAgeMs: r.maxAgeMs, count: Number(aged?.[`b${i}`] ?? 0) })),
        oldestPendingAt: oldest ? oldest.toISOString() : null,
        calendars: calendarAnswers(answers),
      };
    },
    'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
  );
}
