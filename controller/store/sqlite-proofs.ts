import type Database from 'better-sqlite3';
import { calendarAnswers, countsFromCounters, hasNotFound, pendingAgeRanges } from './proof-rows.js';
import type { NewProof, ProofChange, ProofRow, ProofStats, ProofStatus } from './store.js';

/**
 * The recorded expiry cutoff (see sqliteExpireProofs), in ms. A row stored as pending and created
 * before it is an expired proof, whatever its `status` column says until it is rewritten.
 */
const CUTOFF = '(SELECT cutoff FROM ots_expiry WHERE id = 1)';

/** A proof's status as every reader sees it: the stored one, with the cutoff applied. */
export const SQLITE_PROOF_STATUS = `CASE WHEN status = 'pending' AND created_at < ${CUTOFF} THEN 'expired' ELSE status END`;

/** Where a row is a pending proof (pending and not behind the cutoff): a range on the pending index. */
export const SQLITE_PENDING = `status = 'pending' AND created_at >= ${CUTOFF}`;

const PROOF_COLUMNS = `id, bundle_id, bundle_sha256, ${SQLITE_PROOF_STATUS} AS status, created_at, upgraded_at, checked_at, proof, calendars`;

interface SqliteProofRow {
  id: number;
  bundle_id: string;
  bundle_sha256: string;
  status: ProofStatus;
  created_at: number;
  upgraded_at: number | null;
  checked_at: number | null;
  proof: Buffer;
  calendars: string;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function proofFromRow(row: SqliteProofRow): ProofRow {
  return {
    id: row.id,
    bundleId: row.bundle_id,
    bundleSha256: row.bundle_sha256,
    status: row.status,
    createdAt: new Date(row.created_at).toISOString(),
    upgradedAt: iso(row.upgraded_at),
    checkedAt: iso(row.checked_at),
    proof: row.proof,
    calendars: JSON.parse(row.calendars),
  };
}

/** Inserts a proof unless its bundle id is known; returns the stored row either way. */
export function sqliteInsertProof(db: Database.Database, proof: NewProof): { proof: ProofRow; created: boolean } {
  return db
    .transaction(() => {
      const inserted = db
        .prepare(
          `INSERT INTO ots_proofs (bundle_id, bundle_sha256, status, created_at, proof, calendars, not_found)
           VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (bundle_id) DO NOTHING`,
        )
        .run(
          proof.bundleId,
          proof.bundleSha256,
          proof.status,
          proof.createdAt.getTime(),
          Buffer.from(proof.proof),
          JSON.stringify(proof.calendars),
          hasNotFound(proof.calendars) ? 1 : 0,
        );
      const row = db.prepare(`SELECT ${PROOF_COLUMNS} FROM ots_proofs WHERE bundle_id = ?`).get(proof.bundleId) as SqliteProofRow;
      return { proof: proofFromRow(row), created: inserted.changes === 1 };
    })
    .immediate();
}

/** Proofs to upgrade, least recently checked first. */
export function sqlitePendingProofs(db: Database.Database, limit: number, includeExpired: boolean): ProofRow[] {
  const where = includeExpired ? "status IN ('pending', 'expired')" : SQLITE_PENDING;
  const rows = db
    .prepare(`SELECT ${PROOF_COLUMNS} FROM ots_proofs WHERE ${where} ORDER BY checked_at NULLS FIRST, created_at, id LIMIT ?`)
    .all(limit) as SqliteProofRow[];
  return rows.map(proofFromRow);
}

/** Updates the fields given; false when the proof does not exist. */
export function sqliteUpdateProof(db: Database.Database, id: number, change: ProofChange): boolean {
  const sets: string[] = [];
  const values: unknown[] = [];
  const set = (column: string, value: unknown) => {
    sets.push(`${column} = ?`);
    values.push(value);
  };
  if (change.status !== undefined) set('status', change.status);
  if (change.proof !== undefined) set('proof', Buffer.from(change.proof));
  if (change.calendars !== undefined) {
    set('calendars', JSON.stringify(change.calendars));
    set('not_found', hasNotFound(change.calendars) ? 1 : 0);
  }
  if (change.upgradedAt !== undefined) set('upgraded_at', change.upgradedAt?.getTime() ?? null);
  if (change.checkedAt !== undefined) set('checked_at', change.checkedAt?.getTime() ?? null);
  if (sets.length === 0) return db.prepare('SELECT 1 FROM ots_proofs WHERE id = ?').get(id) !== undefined;
  return db.prepare(`UPDATE ots_proofs SET ${sets.join(', ')} WHERE id = ?`).run(...values, id).changes === 1;
}

/**
 * Records `olderThan` as the expiry cutoff unless the recorded one is later, in one short transaction,
 * and returns how many pending proofs it expired (see sqliteRecordExpiryCutoff). Committed, every
 * reader applies it.
 */
export function sqliteExpireProofs(db: Database.Database, olderThan: Date): number {
  return db.transaction((): number => sqliteRecordExpiryCutoff(db, olderThan)).immediate();
}

/**
 * Inside the caller's transaction: records `olderThan` as the expiry cutoff unless the recorded one
 * is later, and returns how many pending proofs that expired: those created between the old cutoff
 * and the new one (counted on the pending index, not rewritten). A plan's apply calls it for its
 * ExpireProofs, so the cutoff commits with the event that logs it.
 */
export function sqliteRecordExpiryCutoff(db: Database.Database, olderThan: Date): number {
  const cutoff = olderThan.getTime();
  if ((db.prepare('SELECT cutoff FROM ots_expiry WHERE id = 1').pluck().get() as number) >= cutoff) return 0;
  const expired = db.prepare(`SELECT count(*) FROM ots_proofs WHERE ${SQLITE_PENDING} AND created_at < ?`).pluck().get(cutoff) as number;
  db.prepare('UPDATE ots_expiry SET cutoff = ? WHERE id = 1').run(cutoff);
  return expired;
}

/** Rewrites at most `batchSize` rows the cutoff expired but that are still stored as pending, in one transaction. */
export function sqliteRewriteExpiredBatch(db: Database.Database, batchSize: number): number {
  return db
    .prepare(
      `UPDATE ots_proofs SET status = 'expired'
       WHERE id IN (SELECT id FROM ots_proofs WHERE status = 'pending' AND created_at < ${CUTOFF} LIMIT ?)`,
    )
    .run(batchSize).changes;
}

/**
 * Counts by status (from the stored counters and the pending index: no scan of settled proofs),
 * pending by age, answers per calendar (pending proofs only), in one snapshot.
 */
export function sqliteProofStats(db: Database.Database, now: Date): ProofStats {
  return db.transaction((): ProofStats => {
    const pending = db.prepare(`SELECT count(*) FROM ots_proofs WHERE ${SQLITE_PENDING}`).pluck().get() as number;
    const counters = db.prepare('SELECT status, count FROM ots_proof_counts').all() as { status: string; count: number }[];
    const byStatus = countsFromCounters(counters, pending);
    const countAged = db.prepare(`SELECT count(*) FROM ots_proofs WHERE ${SQLITE_PENDING} AND created_at <= ? AND (? IS NULL OR created_at > ?)`).pluck();
    const pendingByAge = pendingAgeRanges(now).map(({ label, minAgeMs, maxAgeMs, createdUpToMs, createdAfterMs }) => ({
      label,
      minAgeMs,
      maxAgeMs,
      count: countAged.get(createdUpToMs, createdAfterMs, createdAfterMs) as number,
    }));
    const oldest = db.prepare(`SELECT min(created_at) FROM ots_proofs WHERE ${SQLITE_PENDING}`).pluck().get() as number | null;
    const answers = db
      .prepare(
        `SELECT c.key AS calendar, json_extract(c.value, '$.answer') AS answer, count(*) AS count
         FROM ots_proofs p, json_each(p.calendars) c WHERE ${SQLITE_PENDING} GROUP BY 1, 2`,
      )
      .all() as { calendar: string; answer: string; count: number }[];
    return { byStatus, pendingByAge, oldestPendingAt: iso(oldest), calendars: calendarAnswers(answers) };
  })();
}
