import type { Finding, Severity } from '../plan.js';

const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * Sorts findings in place into a stable order: errors first, then warnings and infos; within one,
 * by type, rollout, appliance, policy, calendar, since and message. Returns the array.
 */
export function sortFindings(findings: Finding[]): Finding[] {
  // The comparator allocates nothing: a fleet-wide outage gives one finding per appliance.
  return findings.sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      compareText(a.type, b.type) ||
      compareText(a.rollout ?? '', b.rollout ?? '') ||
      compareText(a.appliance ?? '', b.appliance ?? '') ||
      compareText(a.policy ?? '', b.policy ?? '') ||
      compareText(a.calendar ?? '', b.calendar ?? '') ||
      compareText(a.since ?? '', b.since ?? '') ||
      compareText(a.message, b.message),
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
