import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMigratedStore } from '../../controller/store/open-store.js';
import type { Store } from '../../controller/store/store.js';
import { desiredFrom, smallFleetFiles } from '../helpers/fleet.js';
import { tempDir } from '../helpers/tmp.js';
import { checkinBody, post, startTestApi, type TestApi } from './api-harness.js';

const NOW = new Date('2026-03-02T10:00:00Z');

/** Sends a request by hand (no body framing helpers), so the test controls every header; `agent` to keep its connection. */
function rawPost(url: string, path: string, headers: Record<string, string>, body: string, agent?: Agent): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { method: 'POST', headers, ...(agent ? { agent } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') as Record<string, unknown>, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * The check-in route is served ahead of fastify's router (for its CPU cost); these are the requests
 * fastify used to answer for it, which it must still answer the same way.
 */
describe('POST /v1/checkin, HTTP edges', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let api: TestApi;
  let token: string;

  beforeEach(async () => {
    tmp = tempDir();
    store = await openMigratedStore(join(tmp.dir, 'muster.db'));
    token = (await store.issueToken('lab-01')) as string;
    api = await startTestApi(store, desiredFrom(smallFleetFiles()), NOW);
  });
  afterEach(async () => {
    await api.close();
    await store.close();
    tmp.remove();
  });

  const body = JSON.stringify(checkinBody());
  it.each<{ name: string; path?: string; headers: Record<string, string>; body: string; status: number; error?: string; message?: RegExp }>([
    { name: 'a content type with a charset', headers: { 'content-type': 'application/json; charset=utf-8' }, body, status: 200 },
    { name: 'a content type in capitals', headers: { 'content-type': 'Application/JSON' }, body, status: 200 },
    { name: 'a query string on the path', path: '/v1/checkin?debug=1', headers: { 'content-type': 'application/json' }, body, status: 200 },
    { name: 'a body without a content type', headers: {}, body, status: 415, error: 'UnsupportedMediaType', message: /application\/json/ },
    { name: 'no body and no content type', headers: {}, body: '', status: 422, error: 'Unprocessable', message: /schema/ },
    { name: 'an empty JSON body', headers: { 'content-type': 'application/json' }, body: '', status: 400, error: 'BadRequest', message: /empty/ },
    { name: 'text that is not JSON', headers: { 'content-type': 'application/json' }, body: '{"agentVersion": ', status: 400, error: 'BadRequest', message: /not valid JSON/ },
    {
      name: 'a body carrying __proto__',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(checkinBody()).replace('{', '{"__proto__":{"polluted":true},'),
      status: 400,
      error: 'BadRequest',
      message: /not valid JSON/,
    },
    { name: 'an announced length over 64 KiB', headers: { 'content-type': 'application/json', 'content-length': String(70 * 1024) }, body: 'x'.repeat(70 * 1024), status: 413, error: 'PayloadTooLarge' },
  ])('answers $status to $name', async (c) => {
    const res = await rawPost(api.url, c.path ?? '/v1/checkin', { authorization: `Bearer ${token}`, ...c.headers }, c.body);
    expect(res.status).toBe(c.status);
    if (c.error) expect(res.body.error).toBe(c.error);
    if (c.message) expect(String(res.body.message)).toMatch(c.message);
    expect(String(res.headers['content-type'])).toMatch(/^application\/json/);
  });

  it('refuses a chunked body past 64 KiB while it arrives, and closes the connection', async () => {
    const res = await rawPost(api.url, '/v1/checkin', { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, `{"pad":"${'x'.repeat(70 * 1024)}"}`);
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe('close');
    expect(await store.getAppliance('lab-01')).toBeNull();
  });

  it('leaves other methods on the path to the router: GET is not found', async () => {
    const res = await fetch(`${api.url}/v1/checkin`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'NotFound' });
  });

  it('counts every outcome in muster_checkins_total', async () => {
    await post(`${api.url}/v1/checkin`, checkinBody(), token);
    await post(`${api.url}/v1/checkin`, checkinBody(), 'mst_unknown-token-000000000000');
    await post(`${api.url}/v1/checkin`, checkinBody({ agentVersion: 49 }), token);
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toMatch(/muster_checkins_total\{outcome="ok"\} 1\n/);
    expect(metrics).toMatch(/muster_checkins_total\{outcome="unauthorized"\} 1\n/);
    expect(metrics).toMatch(/muster_checkins_total\{outcome="invalid"\} 1\n/);
  });

  it('answers 503 and closes the connection, as fastify did, to a check-in that arrives once the server is closing, and writes the ones accepted', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const send = async (url: string) => {
      const res = await rawPost(url, '/v1/checkin', { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body, agent);
      return { status: res.status, retryAfter: res.headers['retry-after'], connection: res.headers.connection };
    };
    let late: ReturnType<typeof send> | null = null;
    // Registered after the API's own hooks: runs once check-ins are refused, before idle connections close.
    const closing = await startTestApi(store, desiredFrom(smallFleetFiles()), NOW, {
      plugins: [(app) => void app.addHook('preClose', async () => void (await (late = send(closing.url))))],
    });
    expect((await send(closing.url)).status).toBe(200);
    await closing.close();
    agent.destroy();
    expect(await late).toEqual({ status: 503, retryAfter: undefined, connection: 'close' });
    expect(await store.getAppliance('lab-01')).toMatchObject({ id: 'lab-01' });
  });
});
