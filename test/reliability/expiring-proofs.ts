import Database from 'better-sqlite3';
import pg from 'pg';

const EXPIRE_AFTER_MS = 7 * 24 * 3_600_000;
const MINUTE_MS = 60_000;

/**
 * When the seeded proofs are created. Pending proofs expire by whole minutes of creation once older
 * than the fleet OtsPolicy's `expireAfter` (7d): a proof created just before the current minute
 * boundary (now − 7d, rounded down) expires at the next pass. Not before the cutoff an earlier expiry
 * recorded, though: such a proof reads as expired already and no pass would plan its expiry; if that
 * cutoff is the current boundary, the proofs are created on it and expire once the next minute begins.
 */
function creationTime(recordedCutoffMs: number, now: Date): Date {
  const boundary = Math.floor((now.getTime() - EXPIRE_AFTER_MS) / MINUTE_MS) * MINUTE_MS;
  return new Date(Math.max(recordedCutoffMs, boundary - 1));
}

let seeded = 0;

/**
 * Inserts `count` pending proofs into the store at `db` (a PostgreSQL URL or a SQLite file), in one
 * statement, as a fleet that kept sending evidence would have left them, old enough for the next pass
 * (or the one after the next minute boundary) to plan ExpireProofs for them, apply it and rewrite them
 * in batches. Rows are written directly: the evidence route would take a request per proof.
 */
export async function seedExpiringProofs(db: string, count: number, now = new Date()): Promise<void> {
  const prefix = `chaos-${process.pid}-${++seeded}-`;
  if (/^postgres(ql)?:\/\//.test(db)) {
    const client = new pg.Client({ connectionString: db });
    await client.connect();
    try {
      const { rows } = await client.query<{ ms: number }>('SELECT (extract(epoch FROM cutoff) * 1000)::float8 AS ms FROM ots_expiry WHERE id = 1');
      await client.query(
        `INSERT INTO ots_proofs (bundle_id, bundle_sha256, status, created_at, proof, calendars)
         SELECT $1 || i, lpad(to_hex(i), 64, '0'), 'pending', $2, '\\x00'::bytea, '{}'::jsonb FROM generate_series(1, $3::int) AS i`,
        [prefix, creationTime(Number(rows[0]?.ms ?? -Infinity), now), count],
      );
    } finally {
      await client.end();
    }
    return;
  }
  const sqlite = new Database(db, { timeout: 10_000 });
  try {
    const cutoff = sqlite.prepare('SELECT cutoff FROM ots_expiry WHERE id = 1').pluck().get() as number;
    sqlite
      .prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
         INSERT INTO ots_proofs (bundle_id, bundle_sha256, status, created_at, proof, calendars)
         SELECT ? || i, printf('%064x', i), 'pending', ?, X'00', '{}' FROM n`,
      )
      .run(count, prefix, creationTime(cutoff, now).getTime());
  } finally {
    sqlite.close();
  }
}
