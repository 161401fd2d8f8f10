import type { RevisionRecord } from './store.js';

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
