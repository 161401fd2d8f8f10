import { stageSize } from '../cohorts.js';
import type { Finding } from '../plan.js';
import type { RolloutOutcome } from '../rollout-pass.js';

/**
 * For reviewers: a DegenerateStage warning per stage whose cohort, on today's eligible set, adds no
 * appliance to the previous stage's (1% then 5% of ten appliances both cover one), pointing at the
 * stage's `percent`. Nothing when no appliance is eligible (NoEligibleAppliances says that).
 */
export function degenerateStageFindings(o: RolloutOutcome, findings: Finding[] = []): Finding[] {
  const eligible = o.order.length;
  if (eligible === 0) return findings;
  const { stages } = o.spec;
  for (let k = 1; k < stages.length; k++) {
    const before = stages[k - 1]?.percent ?? 0;
    const percent = stages[k]?.percent ?? 100;
    const covers = stageSize(percent, eligible);
    if (covers !== stageSize(before, eligible)) continue;
    const plural = eligible === 1 ? 'appliance' : 'appliances';
    findings.push({
      type: 'DegenerateStage',
      severity: 'warning',
      rollout: o.spec.name,
      field: `spec.stages[${k}].percent`,
      message: `stage ${k + 1} of ${o.spec.name} (${percent}%) adds no appliance to stage ${k} (${before}%): on today's ${eligible} eligible ${plural} both cover ${covers}`,
    });
  }
  return findings;
}
