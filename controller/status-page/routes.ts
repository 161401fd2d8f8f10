import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiOptions } from '../api/server.js';
import { registerAssets } from './assets.js';
import { html, type SafeHtml } from './html.js';
import { liveRegion, page, PAGE_CSP, type PageParts } from './layout.js';
import { StoreUnavailableError } from '../store/store.js';
import { requireOperator, sendUnavailable, signInCookie, signOutCookie } from './operator-auth.js';
import { PageData } from './page-data.js';
import { appliancePage } from './views/appliance.js';
import { appliancesPage, type ApplianceQuery } from './views/appliances.js';
import { findingsPage, type FindingQuery } from './views/findings.js';
import { overviewPage } from './views/overview.js';
import { proofsPage } from './views/proofs.js';
import { rolloutPage } from './views/rollout.js';
import { safeNext, signInPage, signInUrl } from './views/signin.js';
import { sourcePage } from './views/source.js';

function sendHtml(reply: FastifyReply, body: SafeHtml, status = 200) {
  return reply
    .code(status)
    .type('text/html; charset=utf-8')
    .headers({ 'content-security-policy': PAGE_CSP, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin' })
    .send(body.value);
}

/** A page, or only its live region when htmx asks for a refresh. */
function sendPage(request: FastifyRequest, reply: FastifyReply, parts: PageParts, status = 200) {
  return sendHtml(reply, request.headers['hx-request'] === 'true' ? liveRegion(parts) : page(parts), status);
}

function notFound(what: string, url: string): PageParts {
  return { title: 'Not found', section: '/', head: html`<h1>Not found</h1>`, url, live: html`<p class="notice">${what}</p>` };
}

/**
 * The status page on the API's server: `/` (fleet), `/rollouts/NAME`, `/appliances` and `/appliances/ID`,
 * `/findings?type=&severity=&subject=`, `/source`, `/proofs`, sign-in and sign-out, and its assets.
 * Every page needs an operator credential; without one a browser is sent to the sign-in form.
 */
export function statusPagePlugin(options: ApiOptions) {
  return async function statusPage(app: FastifyInstance): Promise<void> {
    const data = new PageData(options.store, options.view, () => new Date(options.clock.now()));
    const secure = Boolean(options.tls);
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
    registerAssets(app);
    // A store outage is a 503 the page reports ("Controller answered 503"), not an internal error.
    app.setErrorHandler((err, _request, reply) => {
      if (err instanceof StoreUnavailableError) return sendUnavailable(reply, err);
      throw err;
    });

    // Post/redirect/get throughout: every answer a browser shows is a 200 or a redirect, so the
    // console stays clean and a reload never re-posts the credential.
    app.get<{ Querystring: { next?: string; problem?: string } }>('/signin', async (request, reply) =>
      sendHtml(reply, signInPage(safeNext(request.query.next), request.query.problem)),
    );
    app.post<{ Body: { credential?: string; next?: string } }>('/signin', async (request, reply) => {
      const credential = request.body?.credential?.trim() ?? '';
      const next = safeNext(request.body?.next);
      const operator = credential ? await options.store.operatorForToken(credential) : null;
      if (!operator) return reply.redirect(signInUrl(next, 'invalid'), 303);
      request.log.info({ operator }, 'operator signed in');
      return reply.header('set-cookie', signInCookie(credential, secure)).redirect(next, 303);
    });
    app.post('/signout', async (_request, reply) => reply.header('set-cookie', signOutCookie(secure)).redirect('/signin', 303));

    const guarded = requireOperator(options.store, (request, reply, problem) => reply.redirect(signInUrl(request.url, problem), 303));
    const view = { preHandler: guarded };
    app.get('/', view, async (request, reply) => sendPage(request, reply, await overviewPage(data)));
    app.get<{ Querystring: ApplianceQuery }>('/appliances', view, async (request, reply) => sendPage(request, reply, await appliancesPage(data, request.query)));
    app.get<{ Params: { id: string } }>('/appliances/:id', view, async (request, reply) => {
      const parts = await appliancePage(data, request.params.id);
      return parts
        ? sendPage(request, reply, parts)
        : sendPage(request, reply, notFound(`No appliance ${request.params.id} is declared or has checked in.`, request.url), 404);
    });
    app.get<{ Params: { name: string } }>('/rollouts/:name', view, async (request, reply) => {
      const parts = await rolloutPage(data, request.params.name);
      return parts
        ? sendPage(request, reply, parts)
        : sendPage(request, reply, notFound(`No rollout ${request.params.name} in the latest plan.`, request.url), 404);
    });
    app.get<{ Querystring: FindingQuery }>('/findings', view, async (request, reply) => sendPage(request, reply, await findingsPage(data, request.query)));
    app.get('/source', view, async (request, reply) => sendPage(request, reply, await sourcePage(data)));
    app.get('/proofs', view, async (request, reply) => sendPage(request, reply, await proofsPage(data)));
  };
}
