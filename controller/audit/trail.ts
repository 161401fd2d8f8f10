import type { CheckinRequest } from '../observed/state-schema.js';
import { describeAction } from '../plan/describe-action.js';
import type { CheckinHistoryEntry, RevisionRecord, StoredEvent, StoredFinding } from '../store/store.js';

/** What one entry of the audit trail records. */
export type AuditKind = 'revision' | 'action' | 'report' | 'finding-opened' | 'finding-resolved';

/** One thing that changed, when, and by which desired-state revision (for actions). */
export interface AuditEntry {
  at: string;
  kind: AuditKind;
  /** The action's type, the finding's type, or `Report` for a change in what an appliance reports. */
  type: string;
  rollout: string | null;
  appliance: string | null;
  /** The desired-state revision a controller action was planned from (a commit SHA for a git source). */
  revision: string | null;
  /** Who made that revision (`Name <email>`), when the source is git and the store recorded it. */
  author: string | null;
  message: string;
}

export interface AuditInput {
  events: readonly StoredEvent[];
  findings: readonly StoredFinding[];
  /** One appliance's check-in history, any order. */
  checkins: readonly CheckinHistoryEntry[];
  /** The revisions applied, with their authors. */
  revisions?: readonly RevisionRecord[];
  rollout?: string | undefined;
  appliance?: string | undefined;
  /** Only entries at or after this time (ms). */
  sinceMs?: number | null;
}

/**
 * The audit trail, oldest first: each revision as it was first applied (with its commit's author and
 * subject for a git source; only when no rollout or appliance is asked for), every action the
 * controller applied (with the revision it was planned from and its author), each finding as it opened and resolved, and each check-in that changed what an
 * appliance reports (version, update phase, deferral) — its first one included — restricted to
 * one rollout and/or appliance when given, and to `sinceMs` onwards.
 */
export function auditTrail(input: AuditInput): AuditEntry[] {
  const keep = (e: { rollout: string | null; appliance: string | null }) =>
    (input.rollout === undefined || e.rollout === input.rollout) && (input.appliance === undefined || e.appliance === input.appliance);
  const entries: AuditEntry[] = [];
  const authors = new Map((input.revisions ?? []).map((r) => [r.revision, r.commit?.author ?? null]));
  if (input.rollout === undefined && input.appliance === undefined) {
    for (const r of input.revisions ?? []) {
      const by = r.commit ? ` by ${r.commit.author}: ${r.commit.subject} (committed ${r.commit.committedAt})` : '';
      entries.push({ at: r.firstAppliedAt, kind: 'revision', type: 'Revision', rollout: null, appliance: null, revision: r.revision, author: r.commit?.author ?? null, message: `applied revision ${r.revision}${by}` });
    }
  }
  for (const e of input.events) {
    const author = e.revision === null ? null : (authors.get(e.revision) ?? null);
    entries.push({ at: e.at, kind: 'action', type: e.type, rollout: e.rollout, appliance: e.appliance, revision: e.revision, author, message: describeAction(e.detail) });
  }
  for (const f of input.findings) {
    const subject = { rollout: f.rollout ?? null, appliance: f.appliance ?? null, revision: null, author: null };
    entries.push({ at: f.firstSeen, kind: 'finding-opened', type: f.type, ...subject, message: f.message });
    if (f.resolvedAt) entries.push({ at: f.resolvedAt, kind: 'finding-resolved', type: f.type, ...subject, message: `resolved: ${f.message}` });
  }
  if (input.rollout === undefined) entries.push(...reportChanges(input.checkins));
  const since = input.sinceMs ?? -Infinity;
  return entries
    .filter((e) => keep(e) && Date.parse(e.at) >= since)
    .map((e, k) => ({ e, k, ms: Date.parse(e.at) }))
    .sort((a, b) => a.ms - b.ms || a.k - b.k)
    .map(({ e }) => e);
}

// A check-in enters the trail when what it reports differs from the one before it.
function reportChanges(checkins: readonly CheckinHistoryEntry[]): AuditEntry[] {
  const out: AuditEntry[] = [];
  let previous = '';
  for (const c of [...checkins].sort((a, b) => a.id - b.id)) {
    const text = reportText(c.report);
    if (text === previous) continue;
    previous = text;
    out.push({ at: c.at, kind: 'report', type: 'Report', rollout: null, appliance: c.appliance, revision: null, author: null, message: text });
  }
  return out;
}

function reportText(r: CheckinRequest): string {
  const parts = [`runs ${r.agentVersion ?? 'no version'}`];
  const u = r.update;
  if (u) parts.push(`${u.release} ${u.phase} since ${u.since} (attempt ${u.attempt})${u.error ? `: ${u.error}` : ''}`);
  if (r.deferUntil) parts.push(`deferring until ${r.deferUntil}`);
  return parts.join(', ');
}
