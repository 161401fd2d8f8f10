import type pg from 'pg';
import { batched } from './batches.js';
import { calendarAnswers, hasNotFound, pendingAgeRanges, statusCounts } from './proof-rows.js';
import { rows } from './postgres-rows.js';
import type { BatchListener, NewProof, ProofChange, ProofRow, ProofStats, ProofStatus } from './store.js';

const PROOF_COLUMNS = 'id, bundle_id, bundle_sha256, status, created_at, upgraded_at, checked_at, proof, calendars';

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
    `SELECT ${PROOF_COLUMNS} FROM ots_proofs WHERE status = ANY($1::text[])
     ORDER BY checked_at NULLS FIRST, created_at, id LIMIT $2`,
    [includeExpired ? ['pending', 'expired'] : ['pending'], limit],
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
 * Expires pending proofs created before the cutoff: each batch is one autocommit statement over at
 * most `batchSize` rows, skipping rows another transaction holds (a later pass takes them).
 */
export async function pgExpireProofs(pool: pg.Pool, olderThan: Date, batchSize: number, onBatch?: BatchListener): Promise<number> {
  return batched(batchSize, async () => {
    const [row] = await rows<{ n: number }>(
      pool,
      `WITH expired AS (
         UPDATE ots_proofs SET status = 'expired'
         WHERE status = 'pending' AND id IN (
           SELECT id FROM ots_proofs WHERE status = 'pending' AND created_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)
         RETURNING 1
       ) SELECT count(*)::int AS n FROM expired`,
      [olderThan, batchSize],
    );
    return row?.n ?? 0;
  }, onBatch);
}

/** Counts by status, pending by age, answers per calendar (pending proofs only). */
export async function pgProofStats(pool: pg.Pool, now: Date): Promise<ProofStats> {
  const byStatus = statusCounts(await rows<{ status: string; count: number }>(pool, 'SELECT status, count(*)::int AS count FROM ots_proofs GROUP BY status'));
  const ranges = pendingAgeRanges(now);
  const filters = ranges.map(
    (_r, i) => `count(*) FILTER (WHERE created_at <= $${2 * i + 1} AND ($${2 * i + 2}::timestamptz IS NULL OR created_at > $${2 * i + 2}))::int AS b${i}`,
  );
  const [aged] = await rows<Record<string, number | Date | null>>(
    pool,
    `SELECT ${filters.join(', ')}, min(created_at) AS oldest FROM ots_proofs WHERE status = 'pending'`,
    ranges.flatMap((r) => [new Date(r.createdUpToMs), r.createdAfterMs === null ? null : new Date(r.createdAfterMs)]),
  );
  const answers = await rows<{ calendar: string; answer: string; count: number }>(
    pool,
    `SELECT c.key AS calendar, c.value->>'answer' AS answer, count(*)::int AS count
     FROM ots_proofs p, jsonb_each(p.calendars) c WHERE p.status = 'pending' GROUP BY 1, 2`,
  );
  const oldest = aged?.oldest as Date | null | undefined;
  return {
    byStatus,
    pendingByAge: ranges.map((r, i) => ({ label: r.label, minAgeMs: r.minAgeMs, maxAgeMs: r.maxAgeMs, count: Number(aged?.[`b${i}`] ?? 0) })),
    oldestPendingAt: oldest ? oldest.toISOString() : null,
    calendars: calendarAnswers(answers),
  };
}
