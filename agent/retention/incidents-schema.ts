import type Database from 'better-sqlite3';

/**
 * The appliance's incidents database as the agent relies on it (docs/incidents-database.md). Times
 * are ISO 8601 text in UTC; `resolved_at` is NULL while an incident is unresolved; a pattern_stats row
 * belongs to the incidents that share its pattern_id.
 */
export const INCIDENTS_SCHEMA = `
CREATE TABLE IF NOT EXISTS incidents (
  id INTEGER PRIMARY KEY,
  pattern_id TEXT,
  created_at TEXT NOT NULL,
  resolved_at TEXT,
  severity TEXT NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high', 'critical')),
  summary TEXT NOT NULL,
  details TEXT
);
CREATE INDEX IF NOT EXISTS incidents_created_at ON incidents (created_at);
CREATE INDEX IF NOT EXISTS incidents_pattern_id ON incidents (pattern_id);
CREATE TABLE IF NOT EXISTS learning_feedback (
  id INTEGER PRIMARY KEY,
  incident_id INTEGER NOT NULL REFERENCES incidents (id),
  verdict TEXT NOT NULL CHECK (verdict IN ('true_positive', 'false_positive', 'duplicate')),
  note TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS learning_feedback_incident_id ON learning_feedback (incident_id);
CREATE TABLE IF NOT EXISTS pattern_stats (
  pattern_id TEXT PRIMARY KEY,
  hits INTEGER NOT NULL,
  false_positives INTEGER NOT NULL,
  last_seen_at TEXT NOT NULL,
  weight REAL NOT NULL
);
`;

/** Creates the incidents tables and indexes in `db` where they are missing. */
export function createIncidentsSchema(db: Database.Database): void {
  db.exec(INCIDENTS_SCHEMA);
}
