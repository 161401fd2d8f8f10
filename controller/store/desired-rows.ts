import type { RevisionRecord, SourceStatus } from './store.js';

// Rows of the revisions and source_status tables as both stores read them, and what the store returns.

/** A row of the `revisions` table, as both stores read it. */
export interface RevisionRow {
  revision: string;
  first_applied_at: string;
  author: string | null;
  committed_at: string | null;
  subject: string | null;
}

/** A revision row as the store returns it: the commit only when its author was recorded. */
export function revisionRecord(r: RevisionRow): RevisionRecord {
  const commit = r.author === null ? null : { author: r.author, committedAt: r.committed_at ?? '', subject: r.subject ?? '' };
  return { revision: r.revision, firstAppliedAt: r.first_applied_at, commit };
}

/** The `source_status` row, its errors as JSON text. */
export interface SourceStatusRow {
  last_applied_revision: string | null;
  last_attempted_revision: string | null;
  errors: string;
  at: string;
}

export function sourceStatusRecord(row: SourceStatusRow): SourceStatus {
  return {
    lastAppliedRevision: row.last_applied_revision,
    lastAttemptedRevision: row.last_attempted_revision,
    errors: JSON.parse(row.errors),
    at: row.at,
  };
}
