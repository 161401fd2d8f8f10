import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../controller/store/postgres-store.js';
import type { Leadership } from '../../controller/store/store.js';
import { eventually } from '../helpers/eventually.js';
import { createTestDatabase } from '../helpers/pg.js';

describe('PostgreSQL leader election', () => {
  let db: { url: string; drop: () => Promise<void> };
  let stores: PostgresStore[];
  const open = () => {
    const store = new PostgresStore(db.url, { poolSize: 2, leaderHeartbeatMs: 100 });
    stores.push(store);
    return store;
  };

  beforeEach(async () => {
    db = await createTestDatabase();
    stores = [];
    await open().migrate();
  });
  afterEach(async () => {
    for (const store of stores) await store.close();
    await db.drop();
  });

  /** Backend pids holding an advisory lock in the test database. */
  async function advisoryHolders(): Promise<number[]> {
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ pid: number }>(
        "SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()",
      );
      return rows.map((r) => r.pid);
    } finally {
      await admin.end();
    }
  }

  it('lets exactly one of two acquirers lead', async () => {
    const results = await Promise.all([open().acquireLeadership(), open().acquireLeadership()]);
    const leaders = results.filter((l): l is Leadership => l !== null);
    expect(leaders).toHaveLength(1);
    expect(leaders[0]?.isLeader()).toBe(true);
    expect(await advisoryHolders()).toHaveLength(1);
  });

  it('reports the loss at once when the leader backend is terminated, and the other replica takes over', async () => {
    const [a, b] = [open(), open()];
    const leader = (await a.acquireLeadership()) as Leadership;
    expect(await b.acquireLeadership()).toBeNull();
    const lost = new Promise<Error>((resolve) => leader.onLost(resolve));
    const [pid] = await advisoryHolders();
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await admin.end();
    const reason = await lost;
    expect(reason.message).toMatch(/terminat|ended/i);
    expect(leader.isLeader()).toBe(false);
    const successor = await eventually(() => b.acquireLeadership(), { what: 'the lock to be free again', timeoutMs: 10_000, retryErrors: true });
    expect(successor.isLeader()).toBe(true);
    // The old leader's store keeps serving (followers serve check-ins and status).
    await expect(a.ping()).resolves.toBeUndefined();
  });

  it('hands leadership over on release, without calling the loss listeners', async () => {
    const [a, b] = [open(), open()];
    const leader = (await a.acquireLeadership()) as Leadership;
    let lost = false;
    leader.onLost(() => (lost = true));
    await leader.release();
    expect(leader.isLeader()).toBe(false);
    const next = await b.acquireLeadership();
    expect(next?.isLeader()).toBe(true);
    expect(lost).toBe(false);
  });

  it('releases leadership when the store closes', async () => {
    const a = open();
    const leader = (await a.acquireLeadership()) as Leadership;
    await a.close();
    stores = stores.filter((s) => s !== a);
    expect(leader.isLeader()).toBe(false);
    expect(await open().acquireLeadership()).not.toBeNull();
  });
});
