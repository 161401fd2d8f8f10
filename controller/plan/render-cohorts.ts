import type { Plan } from '../reconcile/plan.js';
import type { RolloutCohorts } from './stage-cohorts.js';

const LISTED = 200;
const WHY: Record<RolloutCohorts['why'], string> = { added: 'new', changed: 'changed', starts: 'starts' };

/**
 * Markdown: per new or changed rollout, a collapsed section per stage — counts first (what it
 * covers, what it adds), then the appliances it adds with their status in this plan — so a
 * reviewer sees who each stage will hit before the merge, not only whom this step assigns.
 */
export function cohortsSection(cohorts: readonly RolloutCohorts[], plan: Plan): string[] {
  if (!cohorts.length) return [];
  const status = new Map(plan.appliances.map((a) => [a.id, a]));
  const out = ['**Who each stage hits**', ''];
  for (const c of cohorts) {
    out.push(`${c.rollout} (${WHY[c.why]}, ${c.release}): ${c.eligible} eligible`, '');
    for (const s of c.stages) {
      const summary = `Stage ${s.stage} (${s.percent}%): covers ${s.covers}, adds ${s.adds.length}`;
      if (!s.adds.length) {
        out.push(`- ${summary}`);
        continue;
      }
      const names = s.adds.slice(0, LISTED).map((id) => {
        const a = status.get(id);
        return a && a.rollout === c.rollout ? `\`${id}\` (${a.status})` : `\`${id}\``;
      });
      const more = s.adds.length > LISTED ? `, … and ${s.adds.length - LISTED} more` : '';
      out.push(`- <details><summary>${summary}</summary>`, '', `  ${names.join(', ')}${more}`, '', '  </details>');
    }
    out.push('');
  }
  return out;
}
