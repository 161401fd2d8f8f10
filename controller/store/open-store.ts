import { PostgresStore, type PostgresStoreOptions } from './postgres-store.js';
import { SqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

/** The database used when neither `--db` nor `MUSTER_DB` names one. */
export const DEFAULT_DB = './muster.db';

export type OpenStoreOptions = PostgresStoreOptions;

/** Whether a `--db` value names a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

/**
 * Opens the store a `--db` value names: a `postgres://` or `postgresql://` URL opens a pooled
 * PostgreSQL store, anything else is a SQLite file path (created if absent). Does not migrate:
 * call `migrate()` before use.
 */
export function openStore(db: string, options: OpenStoreOptions = {}): Store {
  if (isPostgresUrl(db)) return new PostgresStore(db, options);
  return new SqliteStore(db === '' ? DEFAULT_DB : db, options);
}

/** Opens the store and applies pending migrations; closes it again if migrating fails. */
export async function openMigratedStore(db: string, options: OpenStoreOptions = {}): Promise<Store> {
  const store = openStore(db, options);
  try {
    await store.migrate();
    return store;
  } catch (err) {
    await store.close();
    throw err;
  }
}
