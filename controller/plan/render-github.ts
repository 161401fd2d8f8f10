import { join, relative } from 'node:path';
import type { SourceRef } from '../desired/types.js';
import type { Finding } from '../reconcile/plan.js';
import { locateField, type FileDocs } from './field-positions.js';
import { groupActions, listSome } from './group.js';
import type { PlanReport } from './report.js';

/**
 * The plan as GitHub workflow annotations on the YAML lines concerned: `::error` for each load
 * error and each error finding, `::warning` for warning findings (stuck appliances, stalled
 * rollouts, a stage that assigns an offline appliance, a degenerate stage…), `::notice` for what
 * each rollout assigns. Findings point at the declaration of the rollout, appliance or policy they
 * are about — at the very field for a lint finding that names one; others carry no position. File paths are given relative to the working directory, where a workflow runs.
 */
export function renderGithub(report: PlanReport, repoDir: string, cwd: string = process.cwd()): string {
  const file = (path: string) => relative(cwd, join(repoDir, path)) || path;
  const lines: string[] = [];
  for (const e of report.plan.errors) {
    lines.push(command('error', { file: file(e.file), line: e.line, col: e.column, title: e.path || 'invalid' }, e.message));
  }
  const parsed = new Map<string, FileDocs | null>();
  for (const f of report.plan.findings) {
    if (f.severity === 'info') continue;
    const declared = sourceOf(report, f);
    // A lint finding names its field: the annotation goes on that line rather than the object's.
    const source = declared && f.field ? locateField(repoDir, declared, f.field, parsed) : declared;
    lines.push(command(f.severity, position(source, file, f.type), f.message));
  }
  for (const g of groupActions(report.plan.actions).assigns) {
    const source = report.sources.get(`Rollout/${g.rollout}`);
    lines.push(command('notice', position(source, file, 'AssignRelease'), `this plan assigns ${g.release} to ${g.appliances.length}: ${listSome(g.appliances)}`));
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

function position(source: SourceRef | undefined, file: (path: string) => string, title: string): Record<string, string | number> {
  return source ? { file: file(source.file), line: source.line, col: source.column, title } : { title };
}

function sourceOf(report: PlanReport, f: Finding): SourceRef | undefined {
  if (f.rollout) return report.sources.get(`Rollout/${f.rollout}`);
  if (f.appliance) return report.sources.get(`Appliance/${f.appliance}`);
  if (f.type === 'OtsBacklog' || f.type === 'OtsCalendarNotFound') return f.policy ? report.sources.get(`OtsPolicy/${f.policy}`) : undefined;
  if (f.type === 'DegenerateBudget') return f.policy ? report.sources.get(`Fleet/${f.policy}`) : undefined;
  if (f.policy) return report.sources.get(`RetentionPolicy/${f.policy}`);
  return undefined;
}

function command(kind: string, props: Record<string, string | number>, message: string): string {
  const list = Object.entries(props)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${kind} ${list}::${escapeData(message)}`;
}

// The escaping GitHub's workflow command parser expects.
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
