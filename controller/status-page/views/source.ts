import { html } from '../html.js';
import type { PageParts } from '../layout.js';
import type { PageData } from '../page-data.js';
import { revision, when } from '../widgets.js';

/** The source: the revision acted on, and a rejected one with every error at its file:line:column. */
export async function sourcePage(data: PageData): Promise<PageParts> {
  const status = await data.store.loadSourceStatus();
  const ready = data.readiness();
  const now = data.now();
  const acting = ready.revision ?? status?.lastAppliedRevision ?? null;
  const errors = status?.errors ?? [];
  const rejected = errors.length > 0;
  const live = html`<dl>
<dt>Acting on</dt><dd>${revision(acting)}</dd>
<dt>Last attempted</dt><dd>${revision(status?.lastAttemptedRevision)}${rejected ? html` <strong class="sev-error">rejected</strong>` : ''}</dd>
<dt>Recorded</dt><dd>${when(status?.at, now)}</dd>
${ready.sourceError ? html`<dt>Source error</dt><dd><code>${ready.sourceError}</code></dd>` : ''}
</dl>
${
  rejected
    ? html`<section class="errors" aria-labelledby="rejected"><h2 id="rejected">Revision ${revision(status?.lastAttemptedRevision)} was rejected: ${errors.length} error${errors.length === 1 ? '' : 's'}</h2>
<p>The controller keeps acting on ${revision(acting)} until a valid revision arrives.</p>
<ul>${errors.map((e) => html`<li><code class="position">${e.file}:${e.line}:${e.column}</code> ${e.message}</li>`)}</ul></section>`
    : html`<p>The last attempted revision was valid.</p>`
}`;
  return { title: 'Source', section: '/source', head: html`<h1>Source</h1>`, url: '/source', live };
}
