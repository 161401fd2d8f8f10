import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAjv } from '../../controller/desired/ajv.js';
import { CheckinResponse } from '../../controller/observed/checkin-response-schema.js';
import { openMigratedStore } from '../../controller/store/open-store.js';
import type { Store } from '../../controller/store/store.js';
import { desiredFrom, smallFleetFiles } from '../helpers/fleet.js';
import { tempDir } from '../helpers/tmp.js';
import { checkinBody, post, startTestApi, type TestApi } from './api-harness.js';

const NOW = new Date('2026-03-02T10:00:00Z');
const validResponse = createAjv().compile(CheckinResponse);

describe('POST /v1/checkin', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;
  let api: TestApi;
  let tokenA: string;
  let tokenB: string;

  beforeEach(async () => {
    tmp = tempDir();
    store = await openMigratedStore(join(tmp.dir, 'muster.db'));
    tokenA = (await store.issueToken('lab-01')) as string;
    tokenB = (await store.issueToken('clinic-a-01')) as string;
    api = await startTestApi(store, desiredFrom(smallFleetFiles()), NOW, { webhookSecret: 's3cret' });
  });
  afterEach(async () => {
    await api.close();
    await store.close();
    tmp.remove();
  });

  it('stores the report durably before answering, and answers with target, retention and interval', async () => {
    const res = await post(`${api.url}/v1/checkin`, checkinBody(), tokenA);
    expect(res.status).toBe(200);
    expect(validResponse(res.body)).toBe(true);
    expect(res.body.checkinIntervalSeconds).toBe(30);
    expect(res.body.retention).toMatchObject({ policy: { retainDays: 30, keepUnresolved: true, pruneEverySeconds: 86400, vacuum: true } });
    const target = api.plan.appliances.find((a) => a.id === 'lab-01')?.target ?? null;
    expect((res.body.target as { name: string } | null)?.name ?? null).toBe(target);
    const stored = await store.getAppliance('lab-01');
    expect(stored).toMatchObject({ id: 'lab-01', agentVersion: '1.0.49', lastCheckinAt: NOW.toISOString() });
    expect(api.checkins).toEqual(['lab-01']);
  });

  it('accepts a body naming its own appliance', async () => {
    expect((await post(`${api.url}/v1/checkin`, checkinBody({ id: 'lab-01' }), tokenA)).status).toBe(200);
  });

  it.each<{ name: string; token: string | undefined; headers: Record<string, string> }>([
    { name: 'no Authorization header', token: undefined, headers: {} },
    { name: 'a malformed header', token: undefined, headers: { authorization: 'Token abc' } },
    { name: 'an unknown token', token: 'mst_unknown-token-000000000000', headers: {} },
  ])('refuses $name with 401', async ({ token, headers }) => {
    const res = await post(`${api.url}/v1/checkin`, checkinBody(), token, headers);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: 'Unauthorized' });
    expect(String(res.body.message)).toMatch(/token/);
    expect(await store.getAppliance('lab-01')).toBeNull();
  });

  it('refuses a rotated token at once and accepts the new one', async () => {
    const rotated = (await store.issueToken('lab-01', { rotate: true })) as string;
    expect((await post(`${api.url}/v1/checkin`, checkinBody(), tokenA)).status).toBe(401);
    expect((await post(`${api.url}/v1/checkin`, checkinBody(), rotated)).status).toBe(200);
  });

  it('refuses with 403 a body that names another appliance, and stores nothing', async () => {
    const res = await post(`${api.url}/v1/checkin`, checkinBody({ id: 'clinic-a-01' }), tokenA);
    expect(res.status).toBe(403);
    expect(res.body.message).toMatch(/belongs to lab-01.*clinic-a-01/);
    expect(await store.getAppliance('clinic-a-01')).toBeNull();
    expect(tokenB).toBeTruthy();
  });

  it.each([
    { name: 'a wrong type', body: checkinBody({ agentVersion: 49 }), want: /\/agentVersion/ },
    { name: 'a bad phase', body: checkinBody({ update: { release: 'v1', phase: 'exploding', since: NOW.toISOString(), attempt: 1, error: null } }), want: /\/update\/phase: must be one of/ },
    { name: 'a missing field', body: { agentVersion: '1.0.49', imageVersion: '49', update: null }, want: /missing field `retention`/ },
    { name: 'a bad time', body: checkinBody({ deferUntil: 'tomorrow' }), want: /\/deferUntil/ },
  ])('answers 422 naming the field for $name', async ({ body, want }) => {
    const res = await post(`${api.url}/v1/checkin`, body, tokenA);
    expect(res.status).toBe(422);
    expect(res.body.error).toBe('Unprocessable');
    expect(String(res.body.message)).toMatch(want);
  });

  it('answers 400 to a body that is not JSON', async () => {
    const res = await post(`${api.url}/v1/checkin`, '{"agentVersion": ', tokenA);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'BadRequest' });
  });

  it('answers 413 to a body over 64 KiB', async () => {
    const res = await post(`${api.url}/v1/checkin`, checkinBody({ padding: 'x'.repeat(70 * 1024) }), tokenA);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: 'PayloadTooLarge' });
  });

  it('answers 415 to a body that is not application/json', async () => {
    const res = await post(`${api.url}/v1/checkin`, 'agentVersion=1', tokenA, { 'content-type': 'text/plain' });
    expect(res.status).toBe(415);
  });

  it('group-commits concurrent check-ins: every one is stored', async () => {
    const ids = ['lab-01', 'clinic-a-01', 'clinic-b-01'];
    const tokens = await Promise.all(ids.map((id) => store.issueToken(id, { rotate: true })));
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => post(`${api.url}/v1/checkin`, checkinBody({ imageVersion: String(i) }), tokens[i % 3] as string)),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const history = await store.listCheckins('lab-01', 100);
    expect(history).toHaveLength(20);
  });
});

describe('webhook, health, metrics and status', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: Store;

  beforeEach(async () => {
    tmp = tempDir();
    store = await openMigratedStore(join(tmp.dir, 'muster.db'));
  });
  afterEach(async () => {
    await store.close();
    tmp.remove();
  });

  const sign = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

  it.each([
    { name: 'a valid signature', signature: sign('s3cret', '{"ref":"refs/heads/main"}'), status: 202, triggered: 1 },
    { name: 'a signature under another secret', signature: sign('other', '{"ref":"refs/heads/main"}'), status: 401, triggered: 0 },
    { name: 'a signature of another body', signature: sign('s3cret', '{"ref":"x"}'), status: 401, triggered: 0 },
    { name: 'no signature', signature: undefined, status: 401, triggered: 0 },
  ])('the git webhook with $name answers $status', async ({ signature, status, triggered }) => {
    const api = await startTestApi(store, desiredFrom(smallFleetFiles()), NOW, { webhookSecret: 's3cret' });
    const res = await post(`${api.url}/v1/hooks/git`, '{"ref":"refs/heads/main"}', undefined, signature ? { 'x-hub-signature-256': signature } : {});
    await api.close();
    expect(res.status).toBe(status);
    expect(api.webhooks).toBe(triggered);
  });

  it('has no webhook route without a secret', async () => {
    const api = await startTestApi(store, desiredFrom(smallFleetFiles()), NOW, { webhookSecret: undefined });
    const res = await post(`${api.url}/v1/hooks/git`, '{}', undefined, { 'x-hub-signature-256': sign('', '{}') });
    await api.close();
    expect(res.status).toBe(404);
  });

  it('serves healthz, readyz, metrics and the latest plan', async () => {
    const api = await startTestApi(store, desiredFrom(smallFleetFiles()), NOW);
    const token = (await store.issueToken('lab-01')) as string;
    await post(`${api.url}/v1/checkin`, checkinBody(), token);
    const operator = (await store.issueOperatorToken('oncall')) as string;
    const [health, ready, metrics, status] = await Promise.all(
      ['/healthz', '/readyz', '/metrics', '/v1/status'].map((path) => fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${operator}` } })),
    );
    await api.close();
    expect(health?.status).toBe(200);
    expect(await ready?.json()).toMatchObject({ status: 'ready', revision: 'test-revision' });
    const text = await metrics?.text();
    expect(text).toMatch(/muster_checkins_total\{outcome="ok"\} 1/);
    expect(text).toMatch(/muster_checkin_batch_size_count 1/);
    expect(await status?.json()).toMatchObject({ revision: 'test-revision', now: NOW.toISOString() });
  });
});
