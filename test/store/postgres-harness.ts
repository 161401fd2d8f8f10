import pg from 'pg';
import { PostgresStore } from '../../controller/store/postgres-store.js';
import type { Store } from '../../controller/store/store.js';
import { createTestDatabase } from '../helpers/pg.js';
import type { HarnessFactory, StoreHarness } from './harness.js';

/** A database of its own on the test run's PostgreSQL per test. */
export const postgresHarness: HarnessFactory = async (clock) => {
  const databases = [await createTestDatabase()];
  const main = databases[0] as { url: string; drop: () => Promise<void> };
  const opened: Store[] = [];
  const open = (url: string) => {
    const store = new PostgresStore(url, { clock, poolSize: 4, leaderHeartbeatMs: 200 });
    opened.push(store);
    return store;
  };
  const store = open(main.url);
  await store.migrate();
  const raw = new pg.Client({ connectionString: main.url });
  await raw.connect();
  const harness: StoreHarness = {
    store,
    openAnother: async () => {
      const another = open(main.url);
      await another.migrate();
      return another;
    },
    emptyDatabase: async () => {
      const db = await createTestDatabase();
      databases.push(db);
      return () => open(db.url);
    },
    sql: async (query) => (await raw.query(query)).rows,
    seedProofs: async (count, status, createdAt, prefix) => {
      await raw.query(
        `INSERT INTO ots_proofs (bundle_id, bundle_sha256, status, created_at, proof, calendars)
         SELECT $1 || '-' || i, 'ab', $2, $3, '\\x00'::bytea, '{}' FROM generate_series(1, $4::int) AS i`,
        [prefix, status, createdAt, count],
      );
    },
    cleanup: async () => {
      await raw.end();
      for (const s of opened) await s.close();
      for (const db of databases) await db.drop();
    },
  };
  return harness;
};
