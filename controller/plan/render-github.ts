import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { SourceRef } from '../desired/types.js';
import type { Finding } from '../reconcile/plan.js';
import { locateField, type FileDocs } from './field-positions.js';
import { groupActions, listSome } from './group.js';
import type { PlanReport } from './report.js';
import { targetMoves } from './target-moves.js';

/** Annotations of one kind kept per step: GitHub drops errors and warnings past 10; notices are held to it too. */
export const ANNOTATIONS_PER_KIND = 10;

type Kind = 'error' | 'warning' | 'notice';

interface Annotation {
  kind: Kind;
  props: Record<string, string | number>;
  message: string;
}

/**
 * The plan as GitHub workflow annotations on the YAML lines concerned. First a `::notice` that
 * sums the plan up (counts and the files concerned); then `::error` for each load error and each
 * error finding, `::warning` for warning findings (stuck appliances, stalled rollouts, a stage that
 * assigns an offline appliance, a degenerate stage…), `::notice` for what each rollout assigns,
 * `::warning` on a rollback's Rollout for the appliances it downgrades.
 * Findings point at the declaration of the rollout, appliance or policy they are about — at the very
 * field for a lint finding that names one; others carry no position.
 * `file=` paths are relative to `base` (see annotationBase), as the runner reads them. GitHub keeps
 * at most 10 error and 10 warning annotations per step (notices are held to 10 as well): beyond
 * that, the last one kept says how many more there are (the markdown plan lists them all).
 */
export function renderGithub(report: PlanReport, repoDir: string, base: string): string {
  const file = (path: string) => {
    const absolute = resolve(repoDir, path);
    const rel = relative(base, absolute);
    return (rel.startsWith('..') || isAbsolute(rel) ? absolute : rel).split(sep).join('/');
  };
  const all: Annotation[] = [];
  for (const e of report.plan.errors) {
    all.push({ kind: 'error', props: { file: file(e.file), line: e.line, col: e.column, title: e.path || 'invalid' }, message: e.message });
  }
  const parsed = new Map<string, FileDocs | null>();
  for (const f of report.plan.findings) {
    // The load errors are annotated one by one, and the summary counts them.
    if (f.severity === 'info' || (f.type === 'DesiredStateInvalid' && report.plan.errors.length > 0)) continue;
    const declared = sourceOf(report, f);
    // A lint finding names its field: the annotation goes on that line rather than the object's.
    const source = declared && f.field ? locateField(repoDir, declared, f.field, parsed) : declared;
    all.push({ kind: f.severity, props: position(source, file, f.type), message: f.message });
  }
  for (const g of groupActions(report.plan.actions).assigns) {
    const source = report.sources.get(`Rollout/${g.rollout}`);
    all.push({ kind: 'notice', props: position(source, file, 'AssignRelease'), message: `this plan assigns ${g.release} to ${g.appliances.length}: ${listSome(g.appliances)}` });
  }
  const downgrades = targetMoves(report.plan).filter((m) => m.downgrade);
  const byRollout = new Map<string, string[]>();
  for (const m of downgrades) byRollout.set(m.rollout, [...(byRollout.get(m.rollout) ?? []), `${m.appliance} ${m.from ?? 'none'} → ${m.to ?? 'none'}`]);
  for (const [rollout, moved] of byRollout) {
    const source = report.sources.get(`Rollout/${rollout}`);
    all.push({ kind: 'warning', props: position(source, file, 'Downgrade'), message: `this plan downgrades ${moved.length}: ${listSome(moved)}` });
  }
  const summary: Annotation = { kind: 'notice', props: { title: 'Muster plan' }, message: summarize(report, all) };
  const kept = [summary, ...keepPerKind(all, { error: 0, warning: 0, notice: 1 })];
  return `${kept.map((a) => command(a.kind, a.props, a.message)).join('\n')}\n`;
}

/** The annotations GitHub will show, the last kept of a kind saying how many of that kind it drops. */
function keepPerKind(all: readonly Annotation[], used: Record<Kind, number>): Annotation[] {
  const total: Record<Kind, number> = { error: 0, warning: 0, notice: 0 };
  for (const a of all) total[a.kind] += 1;
  const kept: Annotation[] = [];
  for (const a of all) {
    const room = ANNOTATIONS_PER_KIND - used[a.kind];
    if (room <= 0) continue;
    used[a.kind] += 1;
    const dropped = total[a.kind] - kept.filter((k) => k.kind === a.kind).length - 1;
    if (room === 1 && dropped > 0) {
      const noun = a.kind === 'notice' ? 'notices' : `${a.kind}s`;
      kept.push({ ...a, message: `${a.message}\n(and ${dropped} more ${noun} not shown: GitHub shows ${ANNOTATIONS_PER_KIND} per step; the markdown plan, muster plan --format markdown, lists them all)` });
    } else kept.push(a);
  }
  return kept;
}

function summarize(report: PlanReport, all: readonly Annotation[]): string {
  const count = (kind: Kind) => all.filter((a) => a.kind === kind).length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const files = [...new Set(all.map((a) => a.props.file).filter((f): f is string => typeof f === 'string'))];
  const plan = report.plan;
  const what = plan.errors.length
    ? `the desired state is invalid: ${plural(plan.errors.length, 'error')}; nothing is planned`
    : `${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}, ${plural(plan.actions.length, 'action')} (${plural(count('notice'), 'rollout')} assigning appliances)`;
  return files.length ? `${what}. Files: ${listSome(files, 5)}` : `${what}.`;
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

// The escaping the runner's workflow-command parser undoes: in data %25, %0D, %0A; in properties
// also %3A and %2C, since `:` and `,` delimit them.
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
