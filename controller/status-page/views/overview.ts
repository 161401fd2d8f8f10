import type { ApplianceStatus, Plan } from '../../reconcile/plan.js';
import { html, type SafeHtml } from '../html.js';
import type { PageParts } from '../layout.js';
import type { PageData } from '../page-data.js';
import { applianceLink, countsList, phaseBadge, revision, rolloutLink, stageBars, statusText, when, withQuery } from '../widgets.js';

/** Stuck and failed appliances listed on the overview before linking to the rest. */
const ATTENTION_SHOWN = 20;
const FLEET_STATUSES = ['stuck', 'failed', 'updating', 'pending', 'succeeded', 'idle', 'unknown'] as const;

/** The fleet at a glance: counts by status, findings by severity, each rollout's stages, what needs attention. */
export async function overviewPage(data: PageData): Promise<PageParts> {
  const plan = await data.plan();
  const head = html`<h1>Fleet</h1>`;
  if (!plan) return { title: 'Fleet', section: '/', head, url: '/', live: noPlanYet() };
  const live = html`${planLine(plan, data)}
<h2 id="by-status">Appliances by status</h2>${fleetCounts(plan.appliances)}
<h2 id="by-severity">Open findings</h2>${findingCounts(plan)}
<h2 id="rollouts">Rollouts</h2>${plan.rollouts.length ? await rolloutCards(plan, data) : html`<p class="muted">No rollouts declared.</p>`}
<h2 id="attention">Needs attention</h2>${attention(plan.appliances)}`;
  return { title: 'Fleet', section: '/', head, url: '/', live };
}

export function noPlanYet(): SafeHtml {
  return html`<p class="notice">The controller has not reconciled yet: no figures to show. This page fills in by itself.</p>`;
}

/** A plan older than this is called out: passes run every few seconds, a follower's saved plan lags 30 s at most. */
const OLD_PLAN_MS = 2 * 60_000;

/** When the figures are from and which revision they come from; an old plan and a rejected revision are called out. */
export function planLine(plan: Plan, data: PageData): SafeHtml {
  const ready = data.readiness();
  const now = data.now();
  const rejected = ready.sourceError ? html`<p class="errors">The latest revision was rejected: <a href="/source">see its errors</a>. Acting on ${revision(plan.revision)}.</p>` : '';
  const old =
    now.getTime() - Date.parse(plan.now) > OLD_PLAN_MS
      ? html`<p class="notice">These figures are from the last plan, computed ${when(plan.now, now)}: the controller has not reconciled since. Its <code>/readyz</code> and log say why.</p>`
      : '';
  return html`<p class="meta">Figures from ${when(plan.now, now)} · revision ${revision(plan.revision)}</p>${old}${rejected}`;
}

function fleetCounts(appliances: readonly ApplianceStatus[]): SafeHtml {
  const counts = new Map<string, number>();
  for (const a of appliances) counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
  return html`<ul class="cards" aria-labelledby="by-status">
<li><a href="/appliances"><span class="n">${appliances.length}</span>all</a></li>
${FLEET_STATUSES.map((s) => html`<li><a href="${withQuery('/appliances', { status: s })}" data-status="${s}"><span class="n">${counts.get(s) ?? 0}</span>${s}</a></li>`)}
</ul>`;
}

function findingCounts(plan: Plan): SafeHtml {
  const bySeverity = { error: 0, warning: 0, info: 0 };
  for (const f of plan.findings) bySeverity[f.severity]++;
  return html`<ul class="cards" aria-labelledby="by-severity">${(['error', 'warning', 'info'] as const).map(
    (s) => html`<li><a href="${withQuery('/findings', { severity: s })}"><span class="n sev-${s}">${bySeverity[s]}</span>${s}</a></li>`,
  )}</ul>`;
}

async function rolloutCards(plan: Plan, data: PageData): Promise<SafeHtml[]> {
  return Promise.all(
    plan.rollouts.map(async (r) => {
      const stages = await data.stages(plan, r.name);
      return html`<section class="rollout" aria-label="Rollout ${r.name}" data-rollout="${r.name}">
<h3>${rolloutLink(r.name)} ${phaseBadge(r.phase)} <span class="muted">release ${r.release} · stage ${r.stage}/${r.stages}</span></h3>
${stageBars(r, stages)}
${countsList(r.counts, (s) => withQuery('/appliances', { rollout: r.name, status: s }))}
<p>${r.message}</p>${r.forecast ? html`<p class="muted">Forecast: ${forecastHeadline(r.forecast.completesAt, r.forecast.stages.length)}</p>` : ''}</section>`;
    }),
  );
}

function forecastHeadline(completesAt: string | null, stages: number): string {
  if (completesAt) return `completes ${completesAt}`;
  return stages ? 'does not complete under its assumptions' : 'none';
}

function attention(appliances: readonly ApplianceStatus[]): SafeHtml {
  const troubled = appliances.filter((a) => a.status === 'stuck' || a.status === 'failed');
  if (!troubled.length) return html`<p>No stuck or failed appliances.</p>`;
  const shown = troubled.slice(0, ATTENTION_SHOWN);
  const more =
    troubled.length > shown.length
      ? html`<p><a href="${withQuery('/appliances', { status: 'stuck' })}">All stuck</a> · <a href="${withQuery('/appliances', { status: 'failed' })}">all failed</a> (${troubled.length} in all)</p>`
      : '';
  return html`<div class="table-wrap"><table><caption class="muted">${troubled.length} stuck or failed</caption>
<thead><tr><th scope="col">Appliance</th><th scope="col">Status</th><th scope="col">Rollout</th><th scope="col">Reason</th></tr></thead>
<tbody>${shown.map((a) => html`<tr><td>${applianceLink(a.id)}</td><td>${statusText(a.status)}</td><td>${a.rollout ? rolloutLink(a.rollout) : '—'}</td><td class="reason">${a.reason}</td></tr>`)}</tbody>
</table></div>${more}`;
}
