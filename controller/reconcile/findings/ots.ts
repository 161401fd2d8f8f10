import type { OtsPolicy } from '../../desired/types.js';
import type { ProofCounts } from '../../observed/state-schema.js';
import type { Finding } from '../plan.js';
import type { ProofPlan } from '../proofs.js';

/**
 * OtsBacklog when more proofs stay pending after this plan's expiry than `alertPendingAbove`, and
 * one OtsCalendarNotFound per calendar that answered "Not found" for commitments.
 */
export function otsFindings(policy: OtsPolicy | null, proofs: ProofCounts, plan: ProofPlan): Finding[] {
  const findings: Finding[] = [];
  const limit = policy?.alertPendingAbove;
  const subject = policy ? { policy: policy.name } : {};
  if (limit !== undefined && plan.pendingAfter > limit) {
    findings.push({
      type: 'OtsBacklog',
      severity: 'warning',
      ...subject,
      message: `${plan.pendingAfter} OpenTimestamps proofs stay pending after expiry, above alertPendingAbove ${limit}: they are not being anchored`,
    });
  }
  const notFound = [...(proofs.notFound ?? [])].sort((a, b) => (a.calendar < b.calendar ? -1 : a.calendar > b.calendar ? 1 : a.since < b.since ? -1 : 1));
  for (const entry of notFound) {
    findings.push({
      type: 'OtsCalendarNotFound',
      severity: 'warning',
      ...subject,
      calendar: entry.calendar,
      since: entry.since,
      message: `${entry.calendar} answered "Not found" for the commitments of ${entry.count} proofs: the commitment is wrong or the calendar lost it`,
    });
  }
  return findings;
}
