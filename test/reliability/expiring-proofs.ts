import Database from 'better-sqlite3';
import pg from 'pg';

/**
 * How old the seeded proofs are: the fleet OtsPolicy's `expireAfter` (7d) exactly, so the next pass
 * (a moment later) expires them. Not older: a proof created before the cutoff an earlier pass recorded
 * (its time − 7d) reads as expired already, and no pass would plan its expiry.
 */
const AGE_MS = 7 * 24 * 3_600_000;

let seeded = 0;

/**
 * Inserts `count` pending proofs created 7 days before `now` into the store at `db` (a PostgreSQL URL
 * or a SQLite file), in one statement, as a fleet that kept sending evidence would have left them.
 * The controller's next pass plans ExpireProofs for them, applies it, and rewrites them in batches.
 * Rows are written directly: the evidence route would take a request per proof and minutes per seed.
 */
export async function seedExpiringProofs(db: string, count: number, now = new Date()): Promise<void> {
  const prefix = `chaos-${process.pid}-${++seeded}-`;
  const createdAt = new Date(now.getTime() - AGE_MS);
  if (/^postgres(ql)?:\/\//.test(db)) {
    const client = new pg.Client({ connectionString: db });
    await client.connect();
    try {
      await client.query(
        `INSERT INTO ots_proofs (bundle_id, bundle_sha256, status, created_at, proof, calendars)
         SELECT $1 || i, lpad(to_hex(i), 64, '0'), 'pending', $2, '\\x00'::bytea, '{}'::jsonb FROM generate_series(1, $3::int) AS i`,
        [prefix, createdAt, count],
      );
    } finally {
      await client.end();
    }
    return;
  }
  const sqlite = new Database(db, { timeout: 10_000 });
  try {
    sqlite
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
         INSERT INTO ots_proofs (bundle_id, bundle_sha256, status, created_at, proof, calendars)
         SELECT ? || i, printf('%064x', i), 'pending', ?, X'00', '{}' FROM n`,
      )
      .run(count, prefix, createdAt.getTime());
  } finally {
    sqlite.close();
  }
}
