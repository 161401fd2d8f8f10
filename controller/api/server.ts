import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from 'pino';
import type { Plan } from '../reconcile/plan.js';
import type { Store } from '../store/store.js';
import { BODY_LIMIT_BYTES, CheckinEndpoint } from './checkin-route.js';
import { sendError } from './errors.js';
import { BODY_REFUSALS } from './json-body.js';
import type { GroupCommitOptions } from './group-commit.js';
import type { ControllerMetrics } from './metrics.js';
import type { CheckinAnswers } from './response-index.js';
import { registerStatusRoutes } from './status-routes.js';
import { statusPagePlugin } from '../status-page/routes.js';
import { TokenCache } from './token-cache.js';
import { registerWebhookRoute } from './webhook-route.js';

/** What the running controller shows the API: kept current by the reconcile loop. */
export interface ApiView {
  /** Check-in answers for the latest plan. */
  responses(): CheckinAnswers;
  /** The latest plan this replica computed, or null before the first pass. */
  plan(): Plan | null;
  /** Whether a desired state is loaded, and the source's last error if any. */
  readiness(): { desiredLoaded: boolean; revision: string | null; sourceError: string | null };
}

export interface ApiOptions {
  store: Store;
  view: ApiView;
  metrics: ControllerMetrics;
  logger: Logger;
  /** The clock that stamps check-ins and runs the group commit's wait and the token cache's polls. */
  clock: Clock;
  /** Called after each stored check-in (the loop debounces it into a reconcile). */
  onCheckin?: (appliance: string) => void;
  /** `MUSTER_WEBHOOK_SECRET`; without it the webhook route does not exist. */
  webhookSecret?: string | undefined;
  /** Called when a correctly signed webhook arrives: fetch the source now. */
  onWebhook?: () => void;
  tls?: { cert: string | Buffer; key: string | Buffer } | undefined;
  groupCommit?: GroupCommitOptions;
  /** How often tokens changed by other processes are read into the token cache (default 1000 ms). */
  tokenRefreshMs?: number;
  /** Extra routes (the evidence endpoint of the OTS lifecycle) registered on the same server. */
  plugins?: ApiPlugin[];
}

/** Routes added beside the check-in API; they authenticate appliances with the same token table. */
export type ApiPlugin = (app: FastifyInstance, shared: { tokens: TokenCache }) => void | Promise<void>;

/**
 * Builds the controller's HTTP API (not yet listening): check-ins, health, metrics, status and the git
 * webhook. Every error answer is `{error, message}`.
 */
export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const serverOptions: FastifyServerOptions & { https?: { cert: string | Buffer; key: string | Buffer } } = {
    loggerInstance: options.logger.child({ component: 'api' }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  };
  if (options.tls) serverOptions.https = options.tls;
  let checkins: CheckinEndpoint | null = null;
  serverOptions.serverFactory = (fastifyRoutes) =>
    nodeServer(options.tls, (request, response) => {
      if (checkins !== null && CheckinEndpoint.matches(request)) checkins.handle(request, response);
      else fastifyRoutes(request, response);
    });
  const app = Fastify(serverOptions) as unknown as FastifyInstance;
  // Check-ins are JSON; a text body is a client bug worth a 415, not a schema error.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler((err: { statusCode?: number; code?: string; message: string }, request, reply) => {
    const status = err.statusCode ?? 500;
    if (status === 413) return sendError(reply, 'PayloadTooLarge', BODY_REFUSALS.tooLarge(BODY_LIMIT_BYTES));
    if (status === 415) return sendError(reply, 'UnsupportedMediaType', BODY_REFUSALS.notJson);
    if (status === 400) return sendError(reply, 'BadRequest', BODY_REFUSALS.invalid(err.message));
    request.log.error({ err }, 'request failed');
    return sendError(reply, 'Internal', 'internal error; see the controller log');
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, 'NotFound', `no route ${request.method} ${request.url}`));
  const tokens = new TokenCache(options.store, { refreshMs: options.tokenRefreshMs, log: options.logger, clock: options.clock });
  void tokens.start();
  app.addHook('onClose', async () => tokens.stop());
  const endpoint = new CheckinEndpoint(options, tokens);
  app.addHook('preClose', async () => endpoint.stopAccepting());
  app.addHook('onClose', async () => endpoint.drain());
  checkins = endpoint;
  registerStatusRoutes(app, options);
  // Its own encapsulated scope: the sign-in form's body parser applies to the page's routes only.
  await app.register(statusPagePlugin(options));
  if (options.webhookSecret) registerWebhookRoute(app, options.webhookSecret, options.onWebhook ?? (() => {}));
  for (const plugin of options.plugins ?? []) await plugin(app, { tokens });
  return app;
}

/** The server fastify would make (the same keep-alive), with check-ins routed before fastify's router. */
function nodeServer(tls: ApiOptions['tls'], listener: (request: IncomingMessage, response: ServerResponse) => void) {
  const server = tls ? createHttpsServer(tls, listener as RequestListener) : createHttpServer(listener as RequestListener);
  server.keepAliveTimeout = FASTIFY_KEEP_ALIVE_MS;
  return server;
}

/** fastify's default `keepAliveTimeout`, kept for the server made here. */
const FASTIFY_KEEP_ALIVE_MS = 72_000;
