import { describe, expect, it } from 'vitest';
import { loadFleetFiles } from '../../controller/desired/load.js';
import type { StateDocument } from '../../controller/observed/state-schema.js';
import { renderMarkdown } from '../../controller/plan/render-markdown.js';
import { buildPlanReport } from '../../controller/plan/report.js';
import { computeCohortOrder } from '../../controller/reconcile/cohorts.js';
import { smallFleetFiles } from '../helpers/fleet.js';

const NOW = new Date('2026-01-31T12:00:00Z');
const EMPTY: StateDocument = { apiVersion: 'muster.dev/v1alpha1', kind: 'State', exportedAt: NOW.toISOString(), appliances: [], rollouts: [], proofs: { pending: [], anchored: 0, expired: 0, failed: 0 } };
const ids = ['lab-01', 'clinic-a-01', 'clinic-b-01', 'clinic-c-01'];
const load = (files: Record<string, string>) => loadFleetFiles(Object.entries(files).map(([path, content]) => ({ path, content })), 'rev');
const started = { rollouts: [{ name: 'v1.0.51', stage: 1, stageStartedAt: NOW.toISOString(), phase: 'Progressing' as const, assignments: [] }] };

describe('cohorts before merge', () => {
  const base = smallFleetFiles({ appliances: ids });
  const head = { ...base, 'rollouts/v1.0.51.yaml': (base['rollouts/v1.0.51.yaml'] as string).replace('percent: 50', 'percent: 25') };
  const order = computeCohortOrder('v1.0.51', [...ids].sort());

  const rows: { name: string; given: { head: Record<string, string>; base: Record<string, string> | null; observed: StateDocument }; want: { why: string; adds: string[][] } | null }[] = [
    { name: 'a changed rollout lists every stage with the appliances it adds', given: { head, base, observed: { ...EMPTY, ...started } }, want: { why: 'changed', adds: [order.slice(0, 1), order.slice(1)] } },
    { name: 'without a base, a rollout this plan starts', given: { head, base: null, observed: EMPTY }, want: { why: 'starts', adds: [order.slice(0, 1), order.slice(1)] } },
    { name: 'an unchanged rollout is not listed', given: { head: base, base, observed: { ...EMPTY, ...started } }, want: null },
  ];
  it.each(rows)('$name', ({ given, want }) => {
    const result = load(given.head);
    const report = buildPlanReport({ head: result, base: given.base ? { ref: 'main', result: load(given.base) } : null, observed: given.observed, now: NOW });
    const c = report.cohorts?.[0];
    expect(c ? { why: c.why, adds: c.stages.map((s) => s.adds) } : null).toEqual(want);
  });

  it('markdown: a collapsed section per stage, counts first', () => {
    const report = buildPlanReport({ head: load(head), base: { ref: 'main', result: load(base) }, observed: { ...EMPTY, ...started }, now: NOW });
    const md = renderMarkdown(report);
    expect(md).toContain('**Who each stage hits**\n\nv1.0.51 (changed, v1.0.51): 4 eligible\n');
    expect(md).toContain(`- <details><summary>Stage 1 (25%): covers 1, adds 1</summary>\n\n  \`${order[0]}\` (pending)\n\n  </details>`);
    expect(md).toContain('- <details><summary>Stage 2 (100%): covers 4, adds 3</summary>');
  });
});
