import type { Plan, RolloutStatus } from '../../reconcile/plan.js';
import type { StoredEvent } from '../../store/store.js';
import { describeAction } from '../../plan/describe-action.js';
import { forecastLines } from '../../plan/forecast-lines.js';
import { html, type SafeHtml } from '../html.js';
import type { PageParts } from '../layout.js';
import type { PageData, RolloutStages } from '../page-data.js';
import { applianceLink, countsList, phaseBadge, stageBars, STATUSES, statusText, when, withQuery } from '../widgets.js';
import { planLine } from './overview.js';

/** Members listed per stage before linking to the full, paginated list. */
const MEMBERS_SHOWN = 50;
export const EVENTS_SHOWN = 30;

/** One rollout: its stages as bars, each stage's cohort with every member's status and reason, conditions and events. */
export async function rolloutPage(data: PageData, name: string): Promise<PageParts | null> {
  const plan = await data.plan();
  const status = plan?.rollouts.find((r) => r.name === name);
  if (!plan || !status) return null;
  const url = `/rollouts/${encodeURIComponent(name)}`;
  const stages = await data.stages(plan, name);
  const events = await data.store.listEvents({ rollout: name, limit: EVENTS_SHOWN });
  const head = html`<h1>Rollout ${name}</h1>`;
  const live = html`${planLine(plan, data)}
<p>${phaseBadge(status.phase)} release <strong>${status.release}</strong> · stage ${status.stage}/${status.stages} since ${when(status.stageStartedAt, data.now())}</p>
<p>${status.message}</p>
${stageBars(status, stages)}
${countsList(status.counts, (s) => withQuery('/appliances', { rollout: name, status: s }))}
<h2>Forecast</h2>${forecast(status)}
<h2>Conditions</h2>${conditions(status, data.now())}
<h2>Stages</h2>${stages ? cohorts(plan, status, stages) : html`<p class="muted">The desired state behind this plan is not stored yet.</p>`}
<h2>Events</h2>${eventTable(events, data.now())}`;
  return { title: `Rollout ${name}`, section: '/', head, url, live };
}

/** When each stage would start and complete if every member took the fleet's typical update time. */
function forecast(status: RolloutStatus): SafeHtml {
  const [lines] = forecastLines([status]);
  if (!lines) return html`<p class="muted">No forecast in this plan.</p>`;
  return html`<p>${lines.headline}</p>
<ul>${lines.stages.map((line) => html`<li>${line}</li>`)}</ul>
<p class="muted">Assumes: ${lines.assumptions.join('; ')}</p>`;
}

function conditions(status: RolloutStatus, now: Date): SafeHtml {
  if (!status.conditions.length) return html`<p class="muted">None.</p>`;
  return html`<div class="table-wrap"><table><thead><tr><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Reason</th><th scope="col">Since</th><th scope="col">Message</th></tr></thead>
<tbody>${status.conditions.map((c) => html`<tr><td>${c.type}</td><td>${c.status}</td><td>${c.reason}</td><td>${when(c.lastTransitionTime, now)}</td><td>${c.message}</td></tr>`)}</tbody></table></div>`;
}

function cohorts(plan: Plan, status: RolloutStatus, stages: RolloutStages): SafeHtml[] {
  const byId = new Map(plan.appliances.map((a) => [a.id, a]));
  const rank = (s: string) => {
    const i = (STATUSES as readonly string[]).indexOf(s);
    return i < 0 ? STATUSES.length : i;
  };
  return stages.stages.map((stage) => {
    const rows = stage.members
      .map((id) => {
        const a = byId.get(id);
        const here = a?.rollout === status.name;
        return { id, status: here ? (a?.status ?? '—') : a?.target ? `claimed by ${a.rollout}` : 'not assigned', reason: here ? (a?.reason ?? '') : '' };
      })
      .sort((x, y) => rank(x.status) - rank(y.status));
    const marker = stage.stage === status.stage ? 'current' : stage.stage < status.stage ? 'done' : 'later';
    const more = rows.length > MEMBERS_SHOWN ? html`<p><a href="${withQuery('/appliances', { rollout: status.name })}">All ${rows.length} members, a page at a time</a></p>` : '';
    return html`<h3>Stage ${stage.stage}: ${stage.percent}% = ${stage.size} of ${stages.eligible} <span class="muted">(${marker}, adds ${stage.members.length})</span></h3>
<div class="table-wrap"><table><thead><tr><th scope="col">Appliance</th><th scope="col">Status</th><th scope="col">Reason</th></tr></thead>
<tbody>${rows.slice(0, MEMBERS_SHOWN).map((r) => html`<tr><td>${applianceLink(r.id)}</td><td>${statusText(r.status)}</td><td class="reason">${r.reason}</td></tr>`)}</tbody></table></div>${more}`;
  });
}

/** Events, newest first, as the audit trail shows them. */
export function eventTable(events: readonly StoredEvent[], now: Date): SafeHtml {
  if (!events.length) return html`<p class="muted">None.</p>`;
  return html`<div class="table-wrap"><table><thead><tr><th scope="col">When</th><th scope="col">Event</th><th scope="col">What</th></tr></thead>
<tbody>${events.map((e) => html`<tr><td>${when(e.at, now)}</td><td>${e.type}</td><td>${describeAction(e.detail)}</td></tr>`)}</tbody></table></div>`;
}
