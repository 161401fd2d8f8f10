import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../controller/store/sqlite-store.js';
import type { Store } from '../../controller/store/store.js';
import type { HarnessFactory, StoreHarness } from './harness.js';

/** A SQLite file in its own temp directory per test. */
export const sqliteHarness: HarnessFactory = async (clock) => {
  const dir = mkdtempSync(join(tmpdir(), 'muster-store-'));
  const file = join(dir, 'muster.db');
  const opened: Store[] = [];
  const open = (path: string) => {
    const store = new SqliteStore(path, { clock });
    opened.push(store);
    return store;
  };
  const store = open(file);
  await store.migrate();
  const raw = new Database(file);
  let empties = 0;
  const harness: StoreHarness = {
    store,
    openAnother: async () => {
      const another = open(file);
      await another.migrate();
      return another;
    },
    emptyDatabase: async () => {
      const path = join(dir, `empty-${++empties}.db`);
      return () => open(path);
    },
    sql: async (query) => {
      const statement = raw.prepare(query);
      if (statement.reader) return statement.all() as Record<string, unknown>[];
      statement.run();
      return [];
    },
    seedProofs: async (count, status, createdAt, prefix) => {
      raw
        .prepare(
          `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
           INSERT INTO ots_proofs (bundle_id, bundle_sha256, status, created_at, proof, calendars)
           SELECT ? || '-' || i, 'ab', ?, ?, X'00', '{}' FROM n`,
        )
        .run(count, prefix, status, createdAt.getTime());
    },
    cleanup: async () => {
      raw.close();
      for (const s of opened) await s.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
};
