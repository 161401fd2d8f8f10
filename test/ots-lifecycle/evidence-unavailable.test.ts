import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evidencePlugin } from '../../controller/api/evidence-route.js';
import { PolicyCalendars } from '../../controller/ots/lifecycle/policy-calendars.js';
import { openMigratedStore } from '../../controller/store/open-store.js';
import type { Store } from '../../controller/store/store.js';
import { post, startTestApi, type TestApi } from '../api/api-harness.js';
import { startOwnPostgres, type OwnPostgres } from '../helpers/embedded-postgres.js';
import { eventually } from '../helpers/eventually.js';
import { routeTo, startCalendarServer, type CalendarServer } from '../ots/calendar-server.js';
import { ALICE, T0, desiredWith } from './lifecycle-harness.js';
import { clockReading } from '../../lib/clock.js';

describe('evidence while PostgreSQL is down', () => {
  let server: OwnPostgres;
  let store: Store;
  let api: TestApi;
  let alice: CalendarServer;
  let token: string;

  beforeAll(async () => {
    server = await startOwnPostgres();
    store = await openMigratedStore(server.url, { connectTimeoutMs: 1_000 });
    token = (await store.issueToken('lab-01')) as string;
    alice = await startCalendarServer({ uri: ALICE, now: () => T0.getTime() });
    const desired = desiredWith([ALICE]);
    const calendars = new PolicyCalendars({ fetch: routeTo({ [ALICE]: alice.url }), clock: clockReading(() => T0.getTime()) });
    api = await startTestApi(store, desired, T0, { plugins: [evidencePlugin({ store, policy: () => desired.otsPolicy, calendars, now: () => T0 })] });
  }, 60_000);
  afterAll(async () => {
    await api?.close();
    await alice?.close();
    await store?.close();
    await server?.remove();
  });

  it('answers 503 with Retry-After while the server is stopped, and 201 again once it is back', async () => {
    expect((await post(`${api.url}/v1/evidence`, { bundleId: 'before', sha256: 'ab'.repeat(32) }, token)).status).toBe(201);

    await server.stop();
    const down = await post(`${api.url}/v1/evidence`, { bundleId: 'during', sha256: 'ab'.repeat(32) }, token);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ error: 'Unavailable' });
    expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);

    await server.start();
    const back = await eventually(async () => {
      const res = await post(`${api.url}/v1/evidence`, { bundleId: 'after', sha256: 'ab'.repeat(32) }, token);
      return res.status === 201 ? res : null;
    }, { what: 'evidence to be stored after PostgreSQL restarted' });
    expect(back.body).toMatchObject({ bundleId: 'after', status: 'pending' });
    expect((await store.proofStats(T0)).byStatus.pending).toBe(2);
  }, 60_000);
});
