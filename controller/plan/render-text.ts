import { formatLoadError } from '../desired/format-error.js';
import type { RolloutPhase } from '../observed/state-schema.js';
import type { Finding, Plan, RolloutStatus } from '../reconcile/plan.js';
import { PLAIN, visibleLength, type Palette } from './colour.js';
import { describeAction } from './describe-action.js';
import { forecastLines } from './forecast-lines.js';
import { capFindings, groupActions, listSome, subjectOf } from './group.js';
import type { PlanReport } from './report.js';
import { describeMove, targetMoves } from './target-moves.js';

const FINDINGS_PER_TYPE = 20;

/**
 * The plan for a terminal, the way kubectl prints: a table of rollouts (ROLLOUT RELEASE STAGE PHASE
 * PENDING UPDATING SUCCEEDED FAILED STUCK MESSAGE), then the stuck appliances with their reasons,
 * the findings, the actions, and with a base what the head changes. Colour only with a palette.
 */
export function renderText(report: PlanReport, palette: Palette = PLAIN): string {
  const { plan } = report;
  const out: string[] = [];
  if (plan.errors.length) {
    out.push(palette.red(palette.bold(`The desired state is invalid (${plan.errors.length} ${plan.errors.length === 1 ? 'error' : 'errors'}):`)));
    out.push(...plan.errors.map((e) => `  ${formatLoadError(e)}`), '');
  } else {
    out.push(`Revision ${plan.revision ?? '-'} at ${plan.now}`, '');
    out.push(...rolloutTable(plan.rollouts, palette), '', ...forecastSection(plan));
  }
  out.push(...stuckSection(plan), ...findingsSection(plan.findings, palette), ...actionsSection(plan), ...movesSection(plan, palette), ...baseSection(report, palette));
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}


function rolloutTable(rollouts: readonly RolloutStatus[], p: Palette): string[] {
  if (!rollouts.length) return ['No rollouts.'];
  const header = ['ROLLOUT', 'RELEASE', 'STAGE', 'PHASE', 'PENDING', 'UPDATING', 'SUCCEEDED', 'FAILED', 'STUCK', 'MESSAGE'];
  const rows = rollouts.map((r) => [
    r.name,
    r.release,
    `${r.stage}/${r.stages}`,
    phaseColour(r.phase, p)(r.phase),
    String(r.counts.pending),
    String(r.counts.updating),
    String(r.counts.succeeded),
    String(r.counts.failed),
    String(r.counts.stuck),
    r.message,
  ]);
  return table([header, ...rows]);
}

/** Left-aligned columns separated by three spaces; the last column is not padded. */
export function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => visibleLength(r[i] ?? '')))) ?? [];
  return rows.map((r) =>
    r.map((cell, i) => (i === r.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - visibleLength(cell)))).join('   ').trimEnd(),
  );
}

function phaseColour(phase: RolloutPhase, p: Palette): (s: string) => string {
  if (phase === 'Complete') return p.green;
  if (phase === 'Stalled' || phase === 'Aborted') return p.red;
  if (phase === 'Paused') return p.yellow;
  return (s) => s;
}

function forecastSection(plan: Plan): string[] {
  const forecasts = forecastLines(plan.rollouts);
  if (!forecasts.length) return [];
  const out = ['Forecast:'];
  for (const f of forecasts) out.push(`  ${f.rollout}: ${f.headline}`, ...f.stages.map((s) => `    ${s}`), `    assuming ${f.assumptions.join('; ')}`);
  return [...out, ''];
}

function stuckSection(plan: Plan): string[] {
  const stuck = plan.appliances.filter((a) => a.status === 'stuck');
  if (!stuck.length) return [];
  return [`Stuck appliances (${stuck.length}):`, ...table(stuck.map((a) => [`  ${a.id}`, a.target ?? '-', a.reason])), ''];
}

function findingsSection(findings: readonly Finding[], p: Palette): string[] {
  if (!findings.length) return [];
  const { shown, omitted } = capFindings(findings, FINDINGS_PER_TYPE);
  const severity = (f: Finding) => (f.severity === 'error' ? p.red : f.severity === 'warning' ? p.yellow : p.dim)(f.severity.toUpperCase());
  const rows = table(shown.map((f) => [`  ${severity(f)}`, f.type, subjectOf(f), f.message]));
  const more = [...omitted].map(([type, n]) => `  … and ${n} more ${type}`);
  return [`Findings (${findings.length}):`, ...rows, ...more, ''];
}

function actionsSection(plan: Plan): string[] {
  if (plan.errors.length) return ['Nothing is planned from an invalid desired state.', ''];
  if (!plan.actions.length) return ['No actions: the fleet is where the desired state wants it.', ''];
  const { assigns, others } = groupActions(plan.actions);
  const lines = others.map((a) => [`  ${a.type}`, describeAction(a)]);
  for (const g of assigns) lines.push(['  AssignRelease', `${g.release} to ${g.appliances.length} (rollout ${g.rollout}): ${listSome(g.appliances)}`]);
  return [`Actions (${plan.actions.length}):`, ...table(lines), ''];
}

function movesSection(plan: Plan, p: Palette): string[] {
  const moves = targetMoves(plan);
  if (!moves.length) return [];
  const downgrades = moves.filter((m) => m.downgrade).length;
  const title = `Targets this plan changes (${moves.length}${downgrades ? `, ${downgrades} ${downgrades === 1 ? 'downgrade' : 'downgrades'}` : ''}):`;
  return [title, ...moves.map((m) => `  ${m.downgrade ? p.yellow(describeMove(m)) : describeMove(m)}`), ''];
}

function baseSection(report: PlanReport, p: Palette): string[] {
  const base = report.base;
  if (!base) return [];
  const out = [`Changes against ${base.ref}${base.revision ? ` (${base.revision.slice(0, 12)})` : ''}:`];
  if (base.errors.length) out.push(p.yellow(`  the base is invalid (${base.errors.length} errors): every object counts as added`));
  if (report.plan.errors.length) out.push('  none computed: the head is invalid');
  else if (!base.changes.length) out.push('  none');
  for (const c of base.changes) {
    if (c.field === null) out.push(`  ${c.from === null ? '+' : '-'} ${c.kind}/${c.name}`);
    else out.push(`  ~ ${c.kind}/${c.name} ${c.field}: ${JSON.stringify(c.from)} → ${JSON.stringify(c.to)}`);
  }
  out.push('', `Target changes (${base.targetChanges.length}):`);
  for (const t of base.targetChanges) out.push(`  ${t.appliance}: ${t.from ?? 'none'} → ${t.to ?? 'none'}`);
  return [...out, ''];
}
