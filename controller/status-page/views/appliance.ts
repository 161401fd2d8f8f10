import type { CheckinHistoryEntry } from '../../store/store.js';
import { html, type SafeHtml } from '../html.js';
import type { PageParts } from '../layout.js';
import type { PageData } from '../page-data.js';
import { rolloutLink, statusText, when } from '../widgets.js';
import { planLine } from './overview.js';
import { EVENTS_SHOWN, eventTable } from './rollout.js';

const CHECKINS_SHOWN = 20;

/** One appliance: its target, status and reason, what it last reported, its check-ins, findings and events. */
export async function appliancePage(data: PageData, id: string): Promise<PageParts | null> {
  const plan = await data.plan();
  const status = plan?.appliances.find((a) => a.id === id);
  const observed = await data.store.getAppliance(id);
  if (!status && !observed) return null;
  const [checkins, events] = await Promise.all([data.store.listCheckins(id, CHECKINS_SHOWN), data.store.listEvents({ appliance: id, limit: EVENTS_SHOWN })]);
  const findings = plan?.findings.filter((f) => f.appliance === id) ?? [];
  const now = data.now();
  const update = observed?.update;
  const live = html`${plan ? planLine(plan, data) : ''}
<dl>
<dt>Status</dt><dd>${statusText(status?.status ?? 'unknown')}</dd>
<dt>Target</dt><dd>${status?.target ?? 'none'}${status?.rollout ? html` (rollout ${rolloutLink(status.rollout)})` : ''}</dd>
<dt>Reason</dt><dd>${status?.reason ?? 'not declared in the fleet repository'}</dd>
<dt>Last check-in</dt><dd>${observed ? when(observed.lastCheckinAt, now) : 'never'}</dd>
<dt>Running</dt><dd>agent ${observed?.agentVersion ?? '—'}, image ${observed?.imageVersion ?? '—'}</dd>
<dt>Update</dt><dd>${update ? html`${update.release} ${update.phase} since ${when(update.since, now)}, attempt ${update.attempt}${update.error ? html`; error: <code>${update.error}</code>` : ''}` : 'none reported'}</dd>
${observed?.deferUntil ? html`<dt>Deferring until</dt><dd>${when(observed.deferUntil, now)}</dd>` : ''}
</dl>
<h2>Findings</h2>${findings.length ? html`<ul>${findings.map((f) => html`<li><span class="sev-${f.severity}">${f.severity}</span> ${f.type}: ${f.message}</li>`)}</ul>` : html`<p class="muted">None.</p>`}
<h2>Check-ins</h2>${checkinTable(checkins, now)}
<h2>Events</h2>${eventTable(events, now)}`;
  return { title: `Appliance ${id}`, section: '/appliances', head: html`<h1>Appliance ${id}</h1>`, url: `/appliances/${encodeURIComponent(id)}`, live };
}

function checkinTable(checkins: readonly CheckinHistoryEntry[], now: Date): SafeHtml {
  if (!checkins.length) return html`<p class="muted">None recorded.</p>`;
  return html`<div class="table-wrap"><table><thead><tr><th scope="col">When</th><th scope="col">Image</th><th scope="col">Update</th></tr></thead>
<tbody>${checkins.map((c) => {
    const u = c.report.update;
    return html`<tr><td>${when(c.at, now)}</td><td>${c.report.imageVersion ?? '—'}</td><td>${u ? `${u.release} ${u.phase} (attempt ${u.attempt})${u.error ? `: ${u.error}` : ''}` : '—'}</td></tr>`;
  })}</tbody></table></div>`;
}
