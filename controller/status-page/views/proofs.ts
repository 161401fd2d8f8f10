import { PROOF_STATUSES } from '../../store/store.js';
import { html } from '../html.js';
import type { PageParts } from '../layout.js';
import type { PageData } from '../page-data.js';
import { when } from '../widgets.js';

/** OpenTimestamps proofs: counts by status, pending ones by age, and each calendar's answers. */
export async function proofsPage(data: PageData): Promise<PageParts> {
  const now = data.now();
  const stats = await data.store.proofStats(now);
  const live = html`<ul class="cards" aria-label="Proofs by status">${PROOF_STATUSES.map((s) => html`<li><span class="card"><span class="n">${stats.byStatus[s]}</span>${s}</span></li>`)}</ul>
<p>Oldest pending: ${when(stats.oldestPendingAt, now)}</p>
<h2>Pending by age</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">Age</th><th scope="col">Proofs</th></tr></thead>
<tbody>${stats.pendingByAge.map((b) => html`<tr><td>${b.label}</td><td>${b.count}</td></tr>`)}</tbody></table></div>
<h2>Calendars</h2>${
    stats.calendars.length
      ? html`<div class="table-wrap"><table><thead><tr><th scope="col">Calendar</th><th scope="col">Last answers</th></tr></thead>
<tbody>${stats.calendars.map((c) => html`<tr><td><code>${c.calendar}</code></td><td>${Object.entries(c.answers).map(([k, v]) => `${v} ${k}`).join(', ')}</td></tr>`)}</tbody></table></div>`
      : html`<p class="muted">No calendar has answered yet.</p>`
  }`;
  return { title: 'Proofs', section: '/proofs', head: html`<h1>Proofs</h1>`, url: '/proofs', live };
}
