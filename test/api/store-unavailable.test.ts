import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedStore } from '../../controller/store/open-store.js';
import type { Store } from '../../controller/store/store.js';
import { startOwnPostgres, type OwnPostgres } from '../helpers/embedded-postgres.js';
import { desiredFrom, smallFleetFiles } from '../helpers/fleet.js';
import { eventually } from '../helpers/eventually.js';
import { checkinBody, post, startTestApi, type TestApi } from './api-harness.js';

const NOW = new Date('2026-03-02T10:00:00Z');

describe('check-ins while PostgreSQL is down', () => {
  let server: OwnPostgres;
  let store: Store;
  let api: TestApi;
  let token: string;
  let operator: string;

  beforeAll(async () => {
    server = await startOwnPostgres();
    store = await openMigratedStore(server.url);
    token = (await store.issueToken('lab-01')) as string;
    operator = (await store.issueOperatorToken('oncall')) as string;
    api = await startTestApi(store, desiredFrom(smallFleetFiles()), NOW);
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await store?.close();
    await server?.remove();
  });

  it('answers 503 with Retry-After while the server is stopped, and 200 again once it is back', async () => {
    expect((await post(`${api.url}/v1/checkin`, checkinBody(), token)).status).toBe(200);

    await server.stop();
    const down = await post(`${api.url}/v1/checkin`, checkinBody({ imageVersion: 'during-outage' }), token);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ error: 'Unavailable' });
    expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
    const ready = await fetch(`${api.url}/readyz`);
    expect(ready.status).toBe(503);
    // The status page and /v1/status cannot check the operator's credential: 503, never a 500 or data.
    for (const path of ['/', '/v1/status']) {
      const page = await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${operator}` } });
      expect(page.status, path).toBe(503);
      expect(await page.json(), path).toMatchObject({ error: 'Unavailable' });
    }

    await server.start();
    const back = await eventually(async () => {
      const res = await post(`${api.url}/v1/checkin`, checkinBody({ imageVersion: 'after-outage' }), token);
      return res.status === 200 ? res : null;
    }, { what: 'check-ins to succeed after PostgreSQL restarted' });
    expect(back.status).toBe(200);
    expect((await store.getAppliance('lab-01'))?.imageVersion).toBe('after-outage');
  }, 60_000);
});
