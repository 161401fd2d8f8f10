import type pg from 'pg';
import { rows } from './postgres-rows.js';
import { revisionRecord, sourceStatusRecord, type RevisionRow, type SourceStatusRow } from './desired-rows.js';
import type { RevisionRecord, SavedDesiredState, SourceStatus } from './store.js';

// The PostgreSQL side of the desired state the controller last applied, its revisions and the
// source's status (see Store.saveDesiredState, listRevisions, loadDesiredState, saveSourceStatus, loadSourceStatus).

export async function pgSaveDesiredState(pool: pg.Pool, desired: SavedDesiredState): Promise<void> {
  await rows(
    pool,
    `INSERT INTO desired_state (id, revision, objects, applied_at) VALUES (1, $1, $2, $3)
     ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, objects = excluded.objects, applied_at = excluded.applied_at`,
    [desired.revision, JSON.stringify(desired.objects), desired.appliedAt],
  );
  const c = desired.commit;
  await rows(
    pool,
    'INSERT INTO revisions (revision, first_applied_at, author, committed_at, subject) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (revision) DO NOTHING',
    [desired.revision, desired.appliedAt, c?.author ?? null, c?.committedAt ?? null, c?.subject ?? null],
  );
}

export async function pgListRevisions(pool: pg.Pool): Promise<RevisionRecord[]> {
  return (await rows<RevisionRow>(pool, 'SELECT revision, first_applied_at, author, committed_at, subject FROM revisions ORDER BY first_applied_at, revision')).map(revisionRecord);
}

export async function pgLoadDesiredState(pool: pg.Pool): Promise<SavedDesiredState | null> {
  const [row] = await rows<{ revision: string; objects: string; applied_at: string }>(
    pool,
    'SELECT revision, objects::text AS objects, applied_at FROM desired_state WHERE id = 1',
  );
  return row ? { revision: row.revision, objects: JSON.parse(row.objects), appliedAt: row.applied_at } : null;
}

export async function pgSaveSourceStatus(pool: pg.Pool, status: SourceStatus): Promise<void> {
  await rows(
    pool,
    `INSERT INTO source_status (id, last_applied_revision, last_attempted_revision, errors, at) VALUES (1, $1, $2, $3, $4)
     ON CONFLICT (id) DO UPDATE SET last_applied_revision = excluded.last_applied_revision,
       last_attempted_revision = excluded.last_attempted_revision, errors = excluded.errors, at = excluded.at`,
    [status.lastAppliedRevision, status.lastAttemptedRevision, JSON.stringify(status.errors), status.at],
  );
}

export async function pgLoadSourceStatus(pool: pg.Pool): Promise<SourceStatus | null> {
  const [row] = await rows<SourceStatusRow>(
    pool,
    'SELECT last_applied_revision, last_attempted_revision, errors::text AS errors, at FROM source_status WHERE id = 1',
  );
  return row ? sourceStatusRecord(row) : null;
}
