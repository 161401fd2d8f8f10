import type { Clock } from '../../lib/clock.js';
import { latestVersion } from '../../controller/store/migration.js';
import { POSTGRES_MIGRATIONS } from '../../controller/store/postgres-migrations.js';
import { SQLITE_MIGRATIONS } from '../../controller/store/sqlite-migrations.js';
import type { Store } from '../../controller/store/store.js';
import type { ProofStatus } from '../../controller/store/store.js';

/** What the contract suite needs from one database engine, on a fresh database per test. */
export interface StoreHarness {
  /** A migrated store on the test's own database. */
  store: Store;
  /** Another store on the same database, migrated (a second controller or a CLI command). */
  openAnother(): Promise<Store>;
  /** A brand-new, empty database: the returned function opens (unmigrated) stores on it. */
  emptyDatabase(): Promise<() => Store>;
  /** Runs dialect-neutral SQL (no parameters) on the test's database and returns its rows. */
  sql(query: string): Promise<Record<string, unknown>[]>;
  /** Inserts `count` proofs with the given status and creation time in one statement. */
  seedProofs(count: number, status: ProofStatus, createdAt: Date, prefix: string): Promise<void>;
  /** Deletes every proof and forgets the expiry cutoff, as on a fresh database. */
  resetProofs(): Promise<void>;
  /**
   * A brand-new database migrated only up to `version`, as an older Muster left it: `sql` runs
   * dialect-neutral SQL on it, `open` opens (unmigrated) stores on it.
   */
  databaseAt(version: number): Promise<{ sql: (query: string) => Promise<Record<string, unknown>[]>; open: () => Store }>;
  /** Closes every store opened and drops the database. */
  cleanup(): Promise<void>;
}

export type HarnessFactory = (clock: Clock) => Promise<StoreHarness>;

/** The versions a migration from `from` applies on a store of this kind, up to the latest this code knows. */
export function versionsFrom(store: Store, from: number): number[] {
  const latest = latestVersion(store.kind === 'postgres' ? POSTGRES_MIGRATIONS : SQLITE_MIGRATIONS);
  return Array.from({ length: latest - from + 1 }, (_, i) => from + i);
}
