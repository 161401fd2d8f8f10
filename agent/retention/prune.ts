import type Database from 'better-sqlite3';

export interface PrunePolicy {
  retainDays: number;
  keepUnresolved: boolean;
  vacuum: boolean;
}

export interface PruneResult {
  /** Incidents created before this (ISO) were eligible. */
  cutoff: string;
  incidents: number;
  feedback: number;
  patternStats: number;
  batches: number;
  vacuumed: boolean;
}

export interface PruneOptions {
  /** Incidents deleted per transaction: small enough that the appliance's own writers never wait long. */
  batchSize?: number;
  /** Awaited between batches, so a long prune shares the event loop (downloads, check-ins). */
  between?: () => Promise<void>;
}

const DAY_MS = 86_400_000;

/**
 * Applies a retention policy to an incidents database: deletes incidents created more than
 * `retainDays` before `now` (unresolved ones kept when `keepUnresolved`) together with their
 * learning_feedback rows, then every pattern_stats row no incident refers to any more, in batches,
 * one transaction each; then VACUUMs when asked. Returns what it deleted.
 */
export async function pruneIncidents(db: Database.Database, policy: PrunePolicy, now: number, options: PruneOptions = {}): Promise<PruneResult> {
  const batchSize = options.batchSize ?? 2_000;
  const between = options.between ?? (() => new Promise<void>((resolve) => setImmediate(resolve)));
  const cutoff = new Date(now - policy.retainDays * DAY_MS).toISOString();
  const result: PruneResult = { cutoff, incidents: 0, feedback: 0, patternStats: 0, batches: 0, vacuumed: false };

  // Keyset over rowid: each batch continues where the last stopped, so kept rows are read once.
  const pick = db.prepare(
    `SELECT rowid AS rid, id FROM incidents WHERE rowid > ? AND julianday(created_at) < julianday(?)
     ${policy.keepUnresolved ? 'AND resolved_at IS NOT NULL' : ''} ORDER BY rowid LIMIT ?`,
  );
  const dropFeedback = db.prepare('DELETE FROM learning_feedback WHERE incident_id IN (SELECT value FROM json_each(?))');
  const dropIncidents = db.prepare('DELETE FROM incidents WHERE rowid IN (SELECT value FROM json_each(?))');
  const deleteBatch = db.transaction((ids: unknown[], rowids: number[]) => {
    result.feedback += dropFeedback.run(JSON.stringify(ids)).changes;
    result.incidents += dropIncidents.run(JSON.stringify(rowids)).changes;
  });
  for (let after = 0; ; ) {
    const rows = pick.all(after, cutoff, batchSize) as { rid: number; id: unknown }[];
    if (!rows.length) break;
    deleteBatch(rows.map((r) => r.id), rows.map((r) => r.rid));
    result.batches++;
    after = (rows.at(-1) as { rid: number }).rid;
    await between();
  }

  result.patternStats = await pruneOrphanedStats(db, batchSize, between);
  if (policy.vacuum) {
    db.exec('VACUUM');
    result.vacuumed = true;
  }
  return result;
}

/** Deletes pattern_stats rows whose pattern no incident has, in batches; returns how many. */
async function pruneOrphanedStats(db: Database.Database, batchSize: number, between: () => Promise<void>): Promise<number> {
  const pick = db.prepare(
    `SELECT rowid AS rid FROM pattern_stats WHERE rowid > ?
       AND NOT EXISTS (SELECT 1 FROM incidents WHERE incidents.pattern_id = pattern_stats.pattern_id)
     ORDER BY rowid LIMIT ?`,
  );
  const drop = db.prepare('DELETE FROM pattern_stats WHERE rowid IN (SELECT value FROM json_each(?))');
  const deleteBatch = db.transaction((rowids: number[]) => drop.run(JSON.stringify(rowids)).changes);
  let deleted = 0;
  for (let after = 0; ; ) {
    const rowids = (pick.all(after, batchSize) as { rid: number }[]).map((r) => r.rid);
    if (!rowids.length) break;
    deleted += deleteBatch(rowids);
    after = rowids.at(-1) as number;
    await between();
  }
  return deleted;
}
