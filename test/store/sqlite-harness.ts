import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SQLITE_MIGRATIONS } from '../../controller/store/sqlite-migrations.js';
import { SqliteStore } from '../../controller/store/sqlite-store.js';
import type { Store } from '../../controller/store/store.js';
import type { HarnessFactory, StoreHarness } from './harness.js';

/** Runs dialect-neutral SQL on a raw connection and returns its rows (none for a write). */
function runner(db: Database.Database) {
  return async (query: string): Promise<Record<string, unknown>[]> => {
    const statement = db.prepare(query);
    if (statement.reader) return statement.all() as Record<string, unknown>[];
    statement.run();
    return [];
  };
}

/** A SQLite file in its own temp directory per test. */
export const sqliteHarness: HarnessFactory = async (clock) => {
  const dir = mkdtempSync(join(tmpdir(), 'muster-store-'));
  const file = join(dir, 'muster.db');
  const opened: Store[] = [];
  const connections: Database.Database[] = [];
  const open = (path: string) => {
    const store = new SqliteStore(path, { clock });
    opened.push(store);
    return store;
  };
  const connect = (path: string) => {
    const db = new Database(path);
    connections.push(db);
    return db;
  };
  const store = open(file);
  await store.migrate();
  const raw = connect(file);
  let databases = 0;
  const harness: StoreHarness = {
    store,
    openAnother: async () => {
      const another = open(file);
      await another.migrate();
      return another;
    },
    emptyDatabase: async () => {
      const path = join(dir, `empty-${++databases}.db`);
      return () => open(path);
    },
    sql: runner(raw),
    seedProofs: async (count, status, createdAt, prefix) => {
      raw
        .prepare(
          `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
           INSERT INTO ots_proofs (bundle_id, bundle_sha256, status, created_at, proof, calendars)
           SELECT ? || '-' || i, 'ab', ?, ?, X'00', '{}' FROM n`,
        )
        .run(count, prefix, status, createdAt.getTime());
    },
    resetProofs: async () => {
      raw.exec('DELETE FROM ots_proofs; UPDATE ots_expiry SET cutoff = -8640000000000000;');
    },
    databaseAt: async (version) => {
      const path = join(dir, `at-${version}-${++databases}.db`);
      const db = connect(path);
      db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
      for (const migration of SQLITE_MIGRATIONS.filter((m) => m.version <= version)) {
        for (const statement of migration.statements) db.exec(statement);
        db.prepare("INSERT INTO schema_migrations VALUES (?, ?, '2026-01-01T00:00:00.000Z')").run(migration.version, migration.name);
      }
      return { sql: runner(db), open: () => open(path) };
    },
    cleanup: async () => {
      for (const db of connections) db.close();
      for (const s of opened) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
};
