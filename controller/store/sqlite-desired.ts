import type Database from 'better-sqlite3';
import { revisionRecord, sourceStatusRecord, type RevisionRow, type SourceStatusRow } from './desired-rows.js';
import type { RevisionRecord, SavedDesiredState, SourceStatus } from './store.js';

// The SQLite side of the desired state the controller last applied, its revisions and the source's
// status (see Store.saveDesiredState, listRevisions, loadDesiredState, saveSourceStatus, loadSourceStatus).

export async function sqliteSaveDesiredState(db: Database.Database, desired: SavedDesiredState): Promise<void> {
  db
    .prepare(
      `INSERT INTO desired_state (id, revision, objects, applied_at) VALUES (1, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, objects = excluded.objects, applied_at = excluded.applied_at`,
    )
    .run(desired.revision, JSON.stringify(desired.objects), desired.appliedAt);
  const c = desired.commit;
  db
    .prepare('INSERT INTO revisions (revision, first_applied_at, author, committed_at, subject) VALUES (?, ?, ?, ?, ?) ON CONFLICT (revision) DO NOTHING')
    .run(desired.revision, desired.appliedAt, c?.author ?? null, c?.committedAt ?? null, c?.subject ?? null);
}

export async function sqliteListRevisions(db: Database.Database): Promise<RevisionRecord[]> {
  const found = db.prepare('SELECT revision, first_applied_at, author, committed_at, subject FROM revisions ORDER BY first_applied_at, revision').all() as RevisionRow[];
  return found.map(revisionRecord);
}

export async function sqliteLoadDesiredState(db: Database.Database): Promise<SavedDesiredState | null> {
  const row = db.prepare('SELECT revision, objects, applied_at FROM desired_state WHERE id = 1').get() as
    | { revision: string; objects: string; applied_at: string }
    | undefined;
  return row ? { revision: row.revision, objects: JSON.parse(row.objects), appliedAt: row.applied_at } : null;
}

export async function sqliteSaveSourceStatus(db: Database.Database, status: SourceStatus): Promise<void> {
  db
    .prepare(
      `INSERT INTO source_status (id, last_applied_revision, last_attempted_revision, errors, at) VALUES (1, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET last_applied_revision = excluded.last_applied_revision,
         last_attempted_revision = excluded.last_attempted_revision, errors = excluded.errors, at = excluded.at`,
    )
    .run(status.lastAppliedRevision, status.lastAttemptedRevision, JSON.stringify(status.errors), status.at);
}

export async function sqliteLoadSourceStatus(db: Database.Database): Promise<SourceStatus | null> {
  const row = db.prepare('SELECT last_applied_revision, last_attempted_revision, errors, at FROM source_status WHERE id = 1').get() as SourceStatusRow | undefined;
  return row ? sourceStatusRecord(row) : null;
}
