import { stat } from 'node:fs/promises';
import Database from 'better-sqlite3';
import type { RetentionGrant } from '../state/local-state.js';
import { pruneIncidents, type PruneResult } from './prune.js';

/** What the agent reports about the incidents database besides the policy it applied. */
export interface IncidentsMeasure {
  databaseBytes: number;
  incidents: number;
  oldestIncidentAt: string | null;
}

/** The agent's view of an incidents database: measure it, prune it. */
export interface RetentionPort {
  /** Size on disk (with its WAL), incident count and oldest incident; null when the database is not there. */
  measure(): Promise<IncidentsMeasure | null>;
  apply(policy: RetentionGrant['policy'], now: number): Promise<PruneResult>;
}

/**
 * The RetentionPort of an incidents database file. The file is opened per operation and never
 * created: the appliance's own software owns it, and a busy writer is waited for up to 10 s.
 */
export function createIncidentsRetention(path: string): RetentionPort {
  const open = () => new Database(path, { fileMustExist: true, timeout: 10_000 });
  return {
    async measure() {
      let db: Database.Database;
      try {
        db = open();
      } catch {
        return null;
      }
      try {
        const incidents = (db.prepare('SELECT COUNT(*) AS n FROM incidents').get() as { n: number }).n;
        const oldest = db.prepare(`SELECT strftime('%Y-%m-%dT%H:%M:%SZ', MIN(created_at)) AS at FROM incidents`).get() as { at: string | null };
        return { databaseBytes: await diskBytes(path), incidents, oldestIncidentAt: oldest.at };
      } finally {
        db.close();
      }
    },
    async apply(policy, now) {
      const db = open();
      try {
        return await pruneIncidents(db, policy, now);
      } finally {
        db.close();
      }
    },
  };
}

/** Bytes the database occupies: the file and its write-ahead log. */
async function diskBytes(path: string): Promise<number> {
  let total = 0;
  for (const file of [path, `${path}-wal`]) {
    total += await stat(file).then((s) => s.size, () => 0);
  }
  return total;
}
