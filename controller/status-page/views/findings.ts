import type { StoredFinding } from '../../store/store.js';
import { html, type SafeHtml } from '../html.js';
import type { PageParts } from '../layout.js';
import type { PageData } from '../page-data.js';
import { pageNumber, paginate } from '../paginate.js';
import { applianceLink, pager, rolloutLink, when, withQuery } from '../widgets.js';

export interface FindingQuery {
  type?: string;
  severity?: string;
  subject?: string;
  page?: string;
}

const SEVERITIES = ['error', 'warning', 'info'];

/** Open findings, filtered by type, severity and subject (appliance, rollout, policy or calendar), a page at a time. */
export async function findingsPage(data: PageData, query: FindingQuery): Promise<PageParts> {
  const filter = { type: query.type || undefined, severity: query.severity || undefined, subject: query.subject?.trim() || undefined };
  const all = await data.store.listFindings();
  const open = all.filter((f) => f.resolvedAt === null);
  const matching = open.filter(
    (f) => (!filter.type || f.type === filter.type) && (!filter.severity || f.severity === filter.severity) && (!filter.subject || subjectOf(f).includes(filter.subject)),
  );
  const page = paginate(matching, pageNumber(query.page));
  const types = [...new Set<string>([...open.map((f) => f.type), ...(filter.type ? [filter.type] : [])])].sort();
  const head = html`<h1>Findings</h1>
<form class="filters" method="get" action="/findings" role="search" aria-label="Filter findings">
<label>Type<select name="type"><option value="">any</option>${types.map((t) => html`<option${t === filter.type ? html` selected` : ''}>${t}</option>`)}</select></label>
<label>Severity<select name="severity"><option value="">any</option>${SEVERITIES.map((s) => html`<option${s === filter.severity ? html` selected` : ''}>${s}</option>`)}</select></label>
<label>Subject<input name="subject" type="search" value="${filter.subject ?? ''}" placeholder="appliance, rollout, policy…"></label>
<button class="btn" type="submit">Filter</button></form>`;
  const nav = pager(page, (n) => withQuery('/findings', { ...filter, page: n }), 'findings');
  const live = html`<p class="meta">${open.length} open in all</p>${nav}
<div class="table-wrap"><table><thead><tr><th scope="col">Severity</th><th scope="col">Type</th><th scope="col">Subject</th><th scope="col" class="hide-narrow">Since</th><th scope="col">Message</th></tr></thead>
<tbody>${page.items.length ? '' : html`<tr><td colspan="5">No open finding matches.</td></tr>`}${page.items.map((f) => html`<tr><td class="sev-${f.severity}">${f.severity}</td><td>${f.type}</td><td>${subjectCell(f)}</td><td class="hide-narrow">${when(f.since ?? f.firstSeen, data.now())}</td><td class="reason">${f.message}</td></tr>`)}</tbody></table></div>`;
  return { title: 'Findings', section: '/findings', head, url: withQuery('/findings', { ...filter, page: query.page }), live };
}

function subjectOf(f: StoredFinding): string {
  return [f.appliance, f.rollout, f.policy, f.calendar].filter(Boolean).join(' ');
}

function subjectCell(f: StoredFinding): SafeHtml {
  return html`${f.appliance ? applianceLink(f.appliance) : ''} ${f.rollout ? rolloutLink(f.rollout) : ''} ${f.policy ?? ''} ${f.calendar ?? ''}`;
}
