import type { FastifyInstance } from 'fastify';
import { sendError } from './errors.js';
import type { ApiOptions } from './server.js';
import { requireOperator } from '../status-page/operator-auth.js';

/** `/healthz`, `/readyz`, `/metrics` and `GET /v1/status` (the latest plan, for operators only). */
export function registerStatusRoutes(app: FastifyInstance, options: ApiOptions): void {
  const { store, view, metrics } = options;

  // Alive as long as the process answers: restarting would not fix a database outage.
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const problems: string[] = [];
    try {
      await store.ping();
    } catch (err) {
      problems.push(`store unreachable: ${err instanceof Error ? err.message : String(err)}`);
    }
    const readiness = view.readiness();
    if (!readiness.desiredLoaded) {
      problems.push(`no desired state loaded yet${readiness.sourceError ? `: ${readiness.sourceError}` : ''}`);
    }
    if (problems.length) return sendError(reply, 'Unavailable', problems.join('; '));
    return { status: 'ready', revision: readiness.revision };
  });

  app.get('/metrics', async (_request, reply) => {
    reply.type(metrics.registry.contentType);
    return metrics.registry.metrics();
  });

  app.get('/v1/status', { preHandler: requireOperator(store) }, async (_request, reply) => {
    const plan = view.plan() ?? (await store.latestPlan())?.plan ?? null;
    if (!plan) return sendError(reply, 'Unavailable', 'no plan computed yet: the controller has not reconciled');
    return plan;
  });
}
