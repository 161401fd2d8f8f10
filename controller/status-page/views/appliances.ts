import { html } from '../html.js';
import type { PageParts } from '../layout.js';
import type { PageData } from '../page-data.js';
import { pageNumber, paginate } from '../paginate.js';
import { applianceLink, pager as pagerLinks, rolloutLink, statusText, withQuery } from '../widgets.js';
import { noPlanYet, planLine } from './overview.js';

export interface ApplianceQuery {
  status?: string;
  rollout?: string;
  page?: string;
}

/** Every appliance with its status, target and reason, filtered by status and rollout, a page at a time. */
export async function appliancesPage(data: PageData, query: ApplianceQuery): Promise<PageParts> {
  const filter = { status: query.status || undefined, rollout: query.rollout || undefined };
  const url = withQuery('/appliances', { ...filter, page: query.page });
  const scope = [filter.status, filter.rollout && `in rollout ${filter.rollout}`].filter(Boolean).join(' ');
  const head = html`<h1>Appliances${scope ? html` <span class="muted">${scope}</span>` : ''}</h1>`;
  const plan = await data.plan();
  if (!plan) return { title: 'Appliances', section: '/appliances', head, url, live: noPlanYet() };
  const matching = plan.appliances.filter((a) => (!filter.status || a.status === filter.status) && (!filter.rollout || a.rollout === filter.rollout));
  const page = paginate(matching, pageNumber(query.page));
  const nav = pagerFor(page, filter);
  const live = html`${planLine(plan, data)}${nav}
<div class="table-wrap"><table><thead><tr><th scope="col">Appliance</th><th scope="col">Status</th><th scope="col">Target</th><th scope="col" class="hide-narrow">Rollout</th><th scope="col">Reason</th></tr></thead>
<tbody>${page.items.map(
    (a) => html`<tr><td>${applianceLink(a.id)}</td><td>${statusText(a.status)}</td><td>${a.target ?? '—'}</td><td class="hide-narrow">${a.rollout ? rolloutLink(a.rollout) : '—'}</td><td class="reason">${a.reason}</td></tr>`,
  )}</tbody></table></div>${page.pages > 1 ? nav : ''}`;
  return { title: 'Appliances', section: '/appliances', head, url, live };
}

function pagerFor(page: ReturnType<typeof paginate>, filter: { status?: string | undefined; rollout?: string | undefined }) {
  return pagerLinks(page, (n) => withQuery('/appliances', { ...filter, page: n }), 'appliances');
}

