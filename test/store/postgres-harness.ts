import pg from 'pg';
import { POSTGRES_MIGRATIONS } from '../../controller/store/postgres-migrations.js';
import { PostgresStore } from '../../controller/store/postgres-store.js';
import type { Store } from '../../controller/store/store.js';
import { createTestDatabase } from '../helpers/pg.js';
import type { HarnessFactory, StoreHarness } from './harness.js';

/** A database of its own on the test run's PostgreSQL per test. */
export const postgresHarness: HarnessFactory = async (clock) => {
  const databases = [await createTestDatabase()];
  const main = databases[0] as { url: string; drop: () => Promise<void> };
  const opened: Store[] = [];
  const clients: pg.Client[] = [];
  const open = (url: string) => {
    const store = new PostgresStore(url, { clock, poolSize: 4, leaderHeartbeatMs: 200 });
    opened.push(store);
    return store;
  };
  const connect = async (url: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    clients.push(client);
    return client;
  };
  const store = open(main.url);
  await store.migrate();
  const raw = await connect(main.url);
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
    resetProofs: async () => {
      await raw.query("DELETE FROM ots_proofs; UPDATE ots_expiry SET cutoff = '-infinity'");
    },
    databaseAt: async (version) => {
      const db = await createTestDatabase();
      databases.push(db);
      const client = await connect(db.url);
      await client.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)');
      for (const migration of POSTGRES_MIGRATIONS.filter((m) => m.version <= version)) {
        for (const statement of migration.statements) await client.query(statement);
        await client.query('INSERT INTO schema_migrations VALUES ($1, $2, now())', [migration.version, migration.name]);
      }
      return { sql: async (query) => (await client.query(query)).rows, open: () => open(db.url) };
    },
    cleanup: async () => {
      for (const client of clients) await client.end();
      for (const s of opened) await s.close();
      for (const db of databases) await db.drop();
    },
  };
  return harness;
};
