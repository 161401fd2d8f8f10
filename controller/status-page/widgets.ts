import type { RolloutStatus, StatusCounts } from '../reconcile/plan.js';
import { html, type SafeHtml } from './html.js';
import type { Page } from './paginate.js';
import type { RolloutStages } from './page-data.js';

/** The update statuses in the order a person reads them: problems first. */
export const STATUSES = ['stuck', 'failed', 'updating', 'pending', 'succeeded'] as const;

/** A time as `2026-12-04 21:50:03 UTC` with how long ago it was, or a dash. */
export function when(iso: string | null | undefined, now: Date): SafeHtml {
  if (!iso) return html`<span class="muted">—</span>`;
  const ms = now.getTime() - Date.parse(iso);
  return html`<time datetime="${iso}">${iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '')} UTC</time> <span class="muted">(${ago(ms)})</span>`;
}

function ago(ms: number): string {
  if (!Number.isFinite(ms)) return 'unknown';
  if (ms < 0) return 'in the future';
  const s = Math.round(ms / 1000);
  if (s < 90) return `${s} s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86400)} d ago`;
}

/** A commit or content hash, shortened for display with the whole one on hover. */
export function revision(rev: string | null | undefined): SafeHtml {
  return rev ? html`<code title="${rev}">${rev.slice(0, 12)}</code>` : html`<span class="muted">none</span>`;
}

export function phaseBadge(phase: string): SafeHtml {
  return html`<span class="badge p-${phase}">${phase}</span>`;
}

export function statusText(status: string): SafeHtml {
  return html`<span class="st st-${status}">${status}</span>`;
}

/**
 * A bar split by status, drawn in SVG (its geometry is attributes, so the page needs no inline styles),
 * with the same figures as text for screen readers.
 */
export function statusBar(counts: Partial<Record<(typeof STATUSES)[number], number>>, total: number, label: string): SafeHtml {
  const parts = STATUSES.filter((s) => (counts[s] ?? 0) > 0);
  const text = parts.length ? parts.map((s) => `${counts[s]} ${s}`).join(', ') : 'none yet';
  let x = 0;
  const rects = parts.map((s) => {
    const width = ((counts[s] ?? 0) / Math.max(total, 1)) * 100;
    const rect = html`<rect class="s-${s}" x="${x.toFixed(3)}" width="${width.toFixed(3)}" height="10"></rect>`;
    x += width;
    return rect;
  });
  return html`<svg class="bar" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label="${label}: ${text} of ${total}">${rects}</svg>`;
}

/** Counts as a list of `N status`, each linking to those appliances when `href` gives the link. */
export function countsList(counts: StatusCounts, href?: (status: string) => string): SafeHtml {
  return html`<ul class="counts"><li>${counts.targeted} targeted</li>${STATUSES.map((s) =>
    href && counts[s] > 0 ? html`<li><a href="${href(s)}">${counts[s]} ${s}</a></li>` : html`<li>${counts[s]} ${s}</li>`,
  )}</ul>`;
}

/**
 * Each stage as a bar: finished stages full, the current one split by status over the appliances
 * targeted so far, later ones empty.
 */
export function stageBars(rollout: RolloutStatus, stages: RolloutStages | null): SafeHtml {
  const bars = Array.from({ length: rollout.stages }, (_, i) => {
    const n = i + 1;
    const size = stages?.stages[i]?.size;
    const of = size !== undefined ? ` · ${size} of ${stages?.eligible}` : '';
    const label = `Stage ${n}/${rollout.stages}`;
    let bar: SafeHtml;
    if (n < rollout.stage) bar = statusBar({ succeeded: 1 }, 1, `${label} done`);
    else if (n === rollout.stage) bar = statusBar(rollout.counts, rollout.counts.targeted, `${label}, current`);
    else bar = statusBar({}, 1, `${label} not started`);
    const state = n < rollout.stage ? 'done' : n === rollout.stage ? 'current' : 'later';
    return html`<div><div class="stage-label">${label} ${state}${of}</div>${bar}</div>`;
  });
  return html`<div class="stages">${bars}</div>`;
}

/** Previous/next links for a paginated list, keeping the other query parameters. */
export function pager(page: Page<unknown>, hrefFor: (page: number) => string, noun: string): SafeHtml {
  if (page.pages <= 1) return html`<p class="muted">${page.total} ${noun}</p>`;
  return html`<nav class="pager" aria-label="Pages of ${noun}">
${page.page > 1 ? html`<a href="${hrefFor(page.page - 1)}" rel="prev">← Previous</a>` : ''}
<span>Page ${page.page} of ${page.pages} (${page.total} ${noun})</span>
${page.page < page.pages ? html`<a href="${hrefFor(page.page + 1)}" rel="next">Next →</a>` : ''}</nav>`;
}

/** A URL with the given query parameters (empty ones left out). */
export function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const q = params.toString();
  return q ? `${path}?${q}` : path;
}

export function applianceLink(id: string): SafeHtml {
  return html`<a href="/appliances/${encodeURIComponent(id)}">${id}</a>`;
}

export function rolloutLink(name: string): SafeHtml {
  return html`<a href="/rollouts/${encodeURIComponent(name)}">${name}</a>`;
}
