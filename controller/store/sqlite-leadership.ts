import Database from 'better-sqlite3';
import { isoTime, type Clock } from '../../lib/clock.js';
import { StoreLockedError } from './errors.js';
import type { Leadership } from './store.js';

/** The side file whose lock marks the one controller running on a SQLite database. */
export function lockFileFor(database: string): string {
  return `${database}.lock`;
}

/**
 * Takes the controller lock of a SQLite database: `<db>.lock`, opened as a database in exclusive
 * locking mode and written once, so the OS lock is held until release() or the process dies (the OS
 * frees it then; no stale lock to clean up). The database itself stays open to the CLI.
 * Throws StoreLockedError at once when another controller holds it.
 */
export function acquireSqliteLock(database: string, clock: Clock): Leadership {
  if (database === ':memory:' || database === '') return heldLeadership(() => {});
  const lockFile = lockFileFor(database);
  let db: Database.Database;
  try {
    db = new Database(lockFile, { timeout: 0 });
  } catch (err) {
    throw new Error(`cannot open the controller lock file ${lockFile}: ${(err as Error).message}`, { cause: err });
  }
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL, since TEXT NOT NULL)');
    db.prepare('INSERT INTO holder (id, pid, since) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET pid = excluded.pid, since = excluded.since').run(
      process.pid,
      isoTime(clock.now()),
    );
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY') || (err as { code?: string }).code?.startsWith('SQLITE_LOCKED')) {
      throw new StoreLockedError(database, lockFile);
    }
    throw err;
  }
  return heldLeadership(() => db.close());
}

function heldLeadership(unlock: () => void): Leadership {
  let held = true;
  return {
    isLeader: () => held,
    // A file lock is not lost while the process lives: there is nothing to report.
    onLost: () => {},
    release: async () => {
      if (!held) return;
      held = false;
      unlock();
    },
  };
}
