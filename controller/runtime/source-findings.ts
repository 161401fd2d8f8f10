import { formatLoadError } from '../desired/format-error.js';
import type { Finding, Plan } from '../reconcile/plan.js';
import type { RevisionStatus } from '../sources/revision-tracker.js';

const SHOWN_ERRORS = 3;

/**
 * The `DesiredStateInvalid` finding for a source whose newest revision was rejected: the controller keeps
 * acting on the last good revision, and this says which one was refused and why.
 */
export function sourceFindings(status: RevisionStatus): Finding[] {
  if (!status.errors.length || status.lastAttemptedRevision === status.lastAppliedRevision) return [];
  const shown = status.errors
    .slice(0, SHOWN_ERRORS)
    .map(formatLoadError);
  const more = status.errors.length > SHOWN_ERRORS ? `; and ${status.errors.length - SHOWN_ERRORS} more` : '';
  const keeping = status.lastAppliedRevision ? `still acting on ${short(status.lastAppliedRevision)}` : 'no valid revision yet';
  return [
    {
      type: 'DesiredStateInvalid',
      severity: 'error',
      since: status.at,
      message: `revision ${short(status.lastAttemptedRevision)} rejected (${keeping}): ${shown.join('; ')}${more}`,
    },
  ];
}

/** The plan with the source's findings added, so status, metrics and the store see them like any other. */
export function withSourceFindings(plan: Plan, status: RevisionStatus): Plan {
  const extra = sourceFindings(status);
  return extra.length ? { ...plan, findings: [...extra, ...plan.findings] } : plan;
}

function short(revision: string | null): string {
  if (!revision) return '(none)';
  return /^[0-9a-f]{40,64}$/.test(revision) ? revision.slice(0, 12) : revision.slice(0, 19);
}
