import type { Finding, Plan } from '../reconcile/plan.js';
import type { Change } from './changes.js';
import { describeAction } from './describe-action.js';
import { forecastLines } from './forecast-lines.js';
import { cohortsSection } from './render-cohorts.js';
import { capFindings, groupActions, listSome, subjectOf } from './group.js';
import type { PlanReport } from './report.js';
import { targetMoves } from './target-moves.js';
import { formatLoadError } from '../desired/format-error.js';

const PHASE_ICON: Record<string, string> = {
  Complete: '🟢',
  Progressing: '🔵',
  Pending: '⚪',
  Paused: '🟡',
  Stalled: '🔴',
  Aborted: '🔴',
  Superseded: '⚫',
  Removed: '⚫',
};

/**
 * The plan as a pull-request comment a reviewer grasps in ten seconds: a headline with what needs
 * attention, then what the change does (with a base), which appliances each new or advancing stage
 * hits, what is stuck and why, what would be expired, the rollout table, and the findings folded.
 */
export function renderMarkdown(report: PlanReport): string {
  const { plan } = report;
  if (plan.errors.length) return invalidMarkdown(report);
  const out = [headline(plan), '', context(report), ''];
  if (report.base) out.push(...changesSection(report.base.changes));
  out.push(
    ...stagesSection(plan),
    ...movesSection(plan),
    ...cohortsSection(report.cohorts ?? [], plan),
    ...stuckSection(plan),
    ...expirySection(plan),
    ...rolloutTable(plan),
    ...forecastSection(plan),
    ...findingsSection(plan.findings),
  );
  if (report.base?.targetChanges.length) {
    out.push(`<details><summary>Targets that change (${report.base.targetChanges.length})</summary>`, '');
    out.push(...report.base.targetChanges.map((t) => `- \`${t.appliance}\`: ${t.from ?? 'none'} → **${t.to ?? 'none'}**`), '', '</details>', '');
  }
  return `${out.join('\n').replace(/\n+$/, '')}\n`;
}

function headline(plan: Plan): string {
  const count = (type: Finding['type']) => plan.findings.filter((f) => f.type === type).length;
  const problems: string[] = [];
  const failed = count('RolloutFailed');
  const stalled = count('RolloutStalled');
  const stuck = count('StuckAppliance');
  if (failed) problems.push(`${failed} failed rollout${failed === 1 ? '' : 's'}`);
  if (stalled) problems.push(`${stalled} stalled rollout${stalled === 1 ? '' : 's'} (${stuck} stuck appliance${stuck === 1 ? '' : 's'})`);
  const errors = plan.findings.filter((f) => f.severity === 'error').length;
  const icon = errors ? '❌' : problems.length || plan.findings.some((f) => f.severity === 'warning') ? '⚠️' : '✅';
  const summary = problems.length ? problems.join(', ') : 'nothing stuck';
  return `### ${icon} Muster plan: ${summary} · ${plan.actions.length} action${plan.actions.length === 1 ? '' : 's'}`;
}

function context(report: PlanReport): string {
  const head = `Head \`${(report.plan.revision ?? '-').slice(0, 19)}\``;
  const base = report.base ? ` against \`${report.base.ref}\`${report.base.errors.length ? ' (invalid there: every object counts as added)' : ''}` : '';
  return `${head}${base} · planned for ${report.plan.now}`;
}

function changesSection(changes: readonly Change[]): string[] {
  if (!changes.length) return ['**What changes:** nothing in the desired state.', ''];
  const lines = changes.map((c) => {
    if (c.field === null) return `- ${c.from === null ? '➕ added' : '➖ removed'} ${c.kind} \`${c.name}\``;
    return `- ✏️ ${c.kind} \`${c.name}\`: \`${c.field}\` ${code(c.from)} → ${code(c.to)}`;
  });
  return ['**What changes**', ...lines, ''];
}

function stagesSection(plan: Plan): string[] {
  const { assigns, others } = groupActions(plan.actions);
  const offline = new Set(plan.findings.filter((f) => f.type === 'AssignsOfflineAppliance').map((f) => f.appliance));
  const lines: string[] = [];
  for (const a of others) if (a.type === 'AdvanceStage' || (a.type === 'SetPhase' && a.from === null)) lines.push(`- ${describeAction(a)}`);
  for (const g of assigns) {
    const names = listSome(g.appliances.map((id) => (offline.has(id) ? `\`${id}\` (⚠️ offline)` : `\`${id}\``)));
    const status = plan.rollouts.find((r) => r.name === g.rollout);
    const where = status ? ` stage ${status.stage}/${status.stages}` : '';
    lines.push(`- **${g.rollout}**${where} assigns ${g.release} to ${g.appliances.length} appliance${g.appliances.length === 1 ? '' : 's'}: ${names}`);
  }
  for (const a of others) if (a.type === 'WithdrawRelease' || (a.type === 'SetPhase' && a.latch)) lines.push(`- ${describeAction(a)}`);
  return lines.length ? ['**Stages that begin or advance**', ...lines, ''] : [];
}

// Every target the plan changes, a downgrade flagged: the blast radius of a rollback, before merge.
function movesSection(plan: Plan): string[] {
  const moves = targetMoves(plan);
  if (!moves.length) return [];
  const downgrades = moves.filter((m) => m.downgrade).length;
  const flagged = downgrades ? `, ⚠️ ${downgrades} ${downgrades === 1 ? 'downgrade' : 'downgrades'}` : '';
  const lines = moves.map((m) => `- \`${m.appliance}\`: ${m.from ?? 'none'} → **${m.to ?? 'none'}** (rollout \`${m.rollout}\`)${m.downgrade ? ' ⚠️ **downgrade**' : ''}`);
  return [`<details${downgrades ? ' open' : ''}><summary>Targets this plan changes (${moves.length}${flagged})</summary>`, '', ...lines, '', '</details>', ''];
}

function stuckSection(plan: Plan): string[] {
  const stuck = plan.appliances.filter((a) => a.status === 'stuck');
  if (!stuck.length) return [];
  const lines = stuck.slice(0, 20).map((a) => `- \`${a.id}\` on ${a.target}: ${a.reason}`);
  if (stuck.length > 20) lines.push(`- … and ${stuck.length - 20} more`);
  return [`**Stuck (${stuck.length})**`, ...lines, ''];
}

function expirySection(plan: Plan): string[] {
  const expire = plan.actions.find((a) => a.type === 'ExpireProofs');
  return expire && expire.type === 'ExpireProofs'
    ? [`**Would expire:** ${expire.count.toLocaleString('en-US')} pending OTS proofs created before ${expire.olderThan}`, '']
    : [];
}

function rolloutTable(plan: Plan): string[] {
  if (!plan.rollouts.length) return [];
  const rows = plan.rollouts.map(
    (r) =>
      `| ${r.name} | ${r.release} | ${r.stage}/${r.stages} | ${PHASE_ICON[r.phase] ?? ''} ${r.phase} | ${r.counts.pending} | ${r.counts.updating} | ${r.counts.succeeded} | ${r.counts.failed} | ${r.counts.stuck} | ${cell(r.message)} |`,
  );
  return ['| Rollout | Release | Stage | Phase | Pending | Updating | Succeeded | Failed | Stuck | Message |', '|---|---|---|---|--:|--:|--:|--:|--:|---|', ...rows, ''];
}

function forecastSection(plan: Plan): string[] {
  const forecasts = forecastLines(plan.rollouts);
  if (!forecasts.length) return [];
  const lines = forecasts.flatMap((f) => [`- **${f.rollout}** ${f.headline}`, ...f.stages.map((s) => `  - ${s}`), `  - _assuming ${f.assumptions.join('; ')}_`]);
  return ['**Forecast**', ...lines, ''];
}

function findingsSection(findings: readonly Finding[]): string[] {
  if (!findings.length) return [];
  const bySeverity = (s: Finding['severity']) => findings.filter((f) => f.severity === s).length;
  const summary = `Findings (${findings.length}: ${bySeverity('error')} errors, ${bySeverity('warning')} warnings, ${bySeverity('info')} info)`;
  const { shown, omitted } = capFindings(findings, 20);
  const rows = shown.map((f) => `| ${f.severity} | ${f.type} | ${cell(subjectOf(f))} | ${cell(f.message)} |`);
  const more = [...omitted].map(([type, n]) => `| | … ${n} more ${type} | | |`);
  return [`<details><summary>${summary}</summary>`, '', '| Severity | Type | Subject | Message |', '|---|---|---|---|', ...rows, ...more, '', '</details>', ''];
}

function invalidMarkdown(report: PlanReport): string {
  const { errors } = report.plan;
  const lines = errors.slice(0, 50).map((e) => `- \`${formatLoadError(e)}\``);
  if (errors.length > 50) lines.push(`- … and ${errors.length - 50} more`);
  const base = report.base ? ` (base \`${report.base.ref}\`)` : '';
  return [`### ❌ Muster plan: the desired state is invalid${base}`, '', `${errors.length} error${errors.length === 1 ? '' : 's'}; nothing is planned until they are fixed:`, '', ...lines, ''].join('\n');
}

function code(value: unknown): string {
  return `\`${JSON.stringify(value)}\``;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
