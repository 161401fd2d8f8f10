import type Database from 'better-sqlite3';
import { calendarAnswers, hasNotFound, pendingAgeRanges, statusCounts } from './proof-rows.js';
import { batched } from './batches.js';
import type { BatchListener, NewProof, ProofChange, ProofRow, ProofStats, ProofStatus } from './store.js';

const PROOF_COLUMNS = 'id, bundle_id, bundle_sha256, status, created_at, upgraded_at, checked_at, proof, calendars';

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
  const statuses = includeExpired ? "('pending', 'expired')" : "('pending')";
  const rows = db
    .prepare(`SELECT ${PROOF_COLUMNS} FROM ots_proofs WHERE status IN ${statuses} ORDER BY checked_at NULLS FIRST, created_at, id LIMIT ?`)
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

/** Expires pending proofs created before the cutoff, `batchSize` per transaction. */
export async function sqliteExpireProofs(db: Database.Database, olderThan: Date, batchSize: number, onBatch?: BatchListener): Promise<number> {
  const expire = db.prepare(
    `UPDATE ots_proofs SET status = 'expired'
     WHERE id IN (SELECT id FROM ots_proofs WHERE status = 'pending' AND created_at < ? LIMIT ?)`,
  );
  return batched(batchSize, () => expire.run(olderThan.getTime(), batchSize).changes, onBatch);
}

/** Counts by status, pending by age, answers per calendar (pending proofs only). */
export function sqliteProofStats(db: Database.Database, now: Date): ProofStats {
  return db.transaction((): ProofStats => {
    const byStatus = statusCounts(db.prepare('SELECT status, count(*) AS count FROM ots_proofs GROUP BY status').all() as { status: string; count: number }[]);
    const countAged = db
      .prepare("SELECT count(*) FROM ots_proofs WHERE status = 'pending' AND created_at <= ? AND (? IS NULL OR created_at > ?)")
      .pluck();
    const pendingByAge = pendingAgeRanges(now).map(({ label, minAgeMs, maxAgeMs, createdUpToMs, createdAfterMs }) => ({
      label,
      minAgeMs,
      maxAgeMs,
      count: countAged.get(createdUpToMs, createdAfterMs, createdAfterMs) as number,
    }));
    const oldest = db.prepare("SELECT min(created_at) FROM ots_proofs WHERE status = 'pending'").pluck().get() as number | null;
    const answers = db
      .prepare(
        `SELECT c.key AS calendar, json_extract(c.value, '$.answer') AS answer, count(*) AS count
         FROM ots_proofs p, json_each(p.calendars) c WHERE p.status = 'pending' GROUP BY 1, 2`,
      )
      .all() as { calendar: string; answer: string; count: number }[];
    return { byStatus, pendingByAge, oldestPendingAt: iso(oldest), calendars: calendarAnswers(answers) };
  })();
}
