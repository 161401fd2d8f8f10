import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../controller/store/errors.js';
import { PostgresStore } from '../../controller/store/postgres-store.js';
import type { Leadership } from '../../controller/store/store.js';
import { startOwnPostgres, type OwnPostgres } from '../helpers/embedded-postgres.js';
import { eventually } from '../helpers/eventually.js';
import { checkin } from './builders.js';

// A server of this test's own, so stopping it disturbs no other test.
describe('PostgreSQL going away and coming back', () => {
  let server: OwnPostgres;
  let url: string;

  beforeAll(async () => {
    server = await startOwnPostgres();
    url = server.url;
  });
  afterAll(async () => {
    await server.remove().catch(() => {});
  });

  it('rejects with StoreUnavailableError while the server is down, tells the leader, and recovers once it is back', async () => {
    const store = new PostgresStore(url, { connectTimeoutMs: 2000, leaderHeartbeatMs: 100 });
    try {
      await store.migrate();
      await store.recordCheckins([checkin('a-01', '2026-01-31T12:00:00Z')]);
      const leadership = (await store.acquireLeadership()) as Leadership;
      const lost = new Promise<Error>((resolveLost) => leadership.onLost(resolveLost));

      await server.stop();
      await lost;
      expect(leadership.isLeader()).toBe(false);
      for (const operation of [
        () => store.ping(),
        () => store.recordCheckins([checkin('a-01', '2026-01-31T12:01:00Z')]),
        () => store.loadObserved(new Date()),
        () => store.applianceForToken(`mst_${'A'.repeat(43)}`),
        () => store.acquireLeadership(),
      ]) {
        await expect(operation()).rejects.toBeInstanceOf(StoreUnavailableError);
      }

      await server.start();
      await eventually(async () => (await store.ping(), true), { what: 'the server to answer again', timeoutMs: 20_000, everyMs: 100, retryErrors: true });
      await store.recordCheckins([checkin('a-01', '2026-01-31T12:02:00Z', { agentVersion: '1.0.46' })]);
      expect((await store.getAppliance('a-01'))?.lastCheckinAt).toBe('2026-01-31T12:02:00.000Z');
      expect(await store.listCheckins('a-01', 10)).toHaveLength(2);
      expect(await store.acquireLeadership()).not.toBeNull();
    } finally {
      await store.close();
    }
  }, 60_000);
});
