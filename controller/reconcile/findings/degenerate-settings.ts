import type { DisruptionBudgetSpec } from '../../desired/schema/disruption-budget.js';
import { formatDuration } from '../../desired/quantities.js';
import type { ReconcileContext } from '../context.js';
import type { Finding } from '../plan.js';

type Subject = { rollout: string } | { policy: string };

/**
 * For reviewers, settings that cannot do what they seem to: a DegenerateBudget warning for a
 * disruption budget (the Fleet's or a Rollout's) whose maxUnavailable is 0 — nothing not already
 * running its release is ever assigned — or that groups by a label no declared appliance carries
 * (every appliance then falls in one group); a ProgressDeadlineTooShort warning for a Rollout whose
 * progressDeadline is not longer than the check-in interval, so that every assigned appliance is
 * stuck before it can next check in. Each names the field it is about.
 */
export function degenerateSettingFindings(ctx: ReconcileContext, findings: Finding[] = []): Finding[] {
  const { fleet } = ctx.desired;
  if (fleet.disruptionBudget) budgetFindings(ctx, fleet.disruptionBudget, { policy: fleet.name ?? 'fleet' }, 'the Fleet', findings);
  for (const r of ctx.desired.rollouts) {
    if (r.disruptionBudget) budgetFindings(ctx, r.disruptionBudget, { rollout: r.name }, r.name, findings);
    if (r.progressDeadlineMs <= fleet.checkinIntervalMs) {
      findings.push({
        type: 'ProgressDeadlineTooShort',
        severity: 'warning',
        rollout: r.name,
        field: 'spec.progressDeadline',
        message: `${r.name}'s progressDeadline ${formatDuration(r.progressDeadlineMs)} is not longer than the check-in interval ${formatDuration(fleet.checkinIntervalMs)}: every assigned appliance is stuck before it can next check in`,
      });
    }
  }
  return findings;
}

function budgetFindings(ctx: ReconcileContext, budget: DisruptionBudgetSpec, subject: Subject, owner: string, findings: Finding[]): void {
  if (budget.maxUnavailable === 0) {
    findings.push({
      type: 'DegenerateBudget',
      severity: 'warning',
      ...subject,
      field: 'spec.disruptionBudget.maxUnavailable',
      message: `the disruption budget of ${owner} allows 0 appliances in flight per group: no appliance is ever assigned unless it already runs the release`,
    });
  }
  budget.groupBy.forEach((key, k) => {
    if (ctx.index.labels.some((labels) => labels[key] !== undefined)) return;
    findings.push({
      type: 'DegenerateBudget',
      severity: 'warning',
      ...subject,
      field: `spec.disruptionBudget.groupBy[${k}]`,
      message: `the disruption budget of ${owner} groups by label ${key}, which no declared appliance carries: it does not tell groups apart`,
    });
  });
}
