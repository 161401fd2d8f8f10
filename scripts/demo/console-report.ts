import type { Plan } from '../../controller/reconcile/plan.js';

/**
 * What changed between two plans, as lines for a person watching the demo: stages completing, phase
 * changes, appliances becoming stuck or failing (with their reasons) and succeeding.
 */
export function planChanges(before: Plan | null, after: Plan): string[] {
  const lines: string[] = [];
  const previous = new Map((before?.rollouts ?? []).map((r) => [r.name, r]));
  for (const r of after.rollouts) {
    const old = previous.get(r.name);
    if (!old) lines.push(`rollout ${r.name}: ${r.phase}, stage ${r.stage}/${r.stages} — ${r.message}`);
    for (let s = old?.stage ?? r.stage; old && s < r.stage; s++) {
      lines.push(`rollout ${r.name}: stage ${s}/${r.stages} complete; stage ${s + 1}/${r.stages} begins`);
    }
    if (old && old.phase !== r.phase) lines.push(`rollout ${r.name}: ${old.phase} → ${r.phase} — ${r.message}`);
  }
  const was = new Map((before?.appliances ?? []).map((a) => [a.id, a]));
  for (const a of after.appliances) {
    const old = was.get(a.id);
    if (old?.status === a.status && old.target === a.target) continue;
    if (a.status === 'stuck' || a.status === 'failed') lines.push(`${a.status.toUpperCase()} ${a.id} (${a.target}): ${a.reason}`);
    else if (a.status === 'succeeded' && old) lines.push(`succeeded ${a.id} on ${a.target}`);
  }
  return lines;
}

/** One line per rollout: stage, phase and counts, like a row of `muster status`. */
export function planSummary(plan: Plan): string[] {
  return plan.rollouts.map((r) => {
    const c = r.counts;
    return `  ${r.name}  stage ${r.stage}/${r.stages}  ${r.phase.padEnd(11)} pending ${c.pending}  updating ${c.updating}  succeeded ${c.succeeded}  failed ${c.failed}  stuck ${c.stuck}`;
  });
}
