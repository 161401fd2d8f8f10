import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { ControllerMetrics } from '../../controller/api/metrics.js';
import { ResponseIndex } from '../../controller/api/response-index.js';
import { buildApi, type ApiOptions } from '../../controller/api/server.js';
import type { DesiredState } from '../../controller/desired/types.js';
import type { Plan } from '../../controller/reconcile/plan.js';
import { reconcile } from '../../controller/reconcile/reconcile.js';
import type { Store } from '../../controller/store/store.js';
import { clockReading } from '../../lib/clock.js';

export interface TestApi {
  app: FastifyInstance;
  url: string;
  plan: Plan;
  checkins: string[];
  webhooks: number;
  close: () => Promise<void>;
}

/** The real API on 127.0.0.1 port 0, over a real store, serving the plan of `desired` at `now`. */
export async function startTestApi(store: Store, desired: DesiredState, now: Date, extra: Partial<ApiOptions> = {}): Promise<TestApi> {
  const { state } = await store.loadObserved(now);
  const plan = reconcile(desired, state, now);
  const index = new ResponseIndex(desired, plan);
  const result: Partial<TestApi> & { checkins: string[]; webhooks: number } = { checkins: [], webhooks: 0 };
  const app = await buildApi({
    store,
    view: { responses: () => index, plan: () => plan, readiness: () => ({ desiredLoaded: true, revision: desired.revision, sourceError: null }) },
    metrics: new ControllerMetrics(),
    logger: pino({ level: 'silent' }),
    clock: clockReading(() => now.getTime()),
    onCheckin: (id) => result.checkins.push(id),
    onWebhook: () => (result.webhooks += 1),
    ...extra,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return Object.assign(result, { app, url, plan, close: () => app.close() }) as TestApi;
}

/** POST a JSON body (or raw string) with an optional bearer token; returns status, headers and parsed body. */
export async function post(url: string, body: unknown, token?: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, headers: res.headers, body: json as Record<string, unknown> };
}

/** A check-in body as a healthy agent on v1.0.49 sends it. */
export function checkinBody(extra: Record<string, unknown> = {}) {
  return {
    agentVersion: '1.0.49',
    imageVersion: '49',
    update: null,
    retention: null,
    ...extra,
  };
}
