import { existsSync } from 'node:fs';
import { backgroundClock, type Clock } from '../../lib/clock.js';
import { loadFleetDirectory } from '../desired/load-directory.js';
import type { Store } from '../store/store.js';
import { CliError, EXIT_INVALID, EXIT_USAGE } from './exit-codes.js';

export interface WithStoreOptions {
  /** Create a SQLite file that does not exist yet (`state import`). */
  create?: boolean;
  /** The clock the store stamps with and `fn` is handed; the real one by default. */
  clock?: Clock;
}

/**
 * Runs `fn` with the store `db` names, opened and migrated, and the command's clock, and closes the
 * store afterwards. A SQLite file that does not exist is an error rather than a new empty database:
 * the command would only print nothing, and the path is more likely a typo.
 */
export async function withStore<T>(db: string, fn: (store: Store, clock: Clock) => Promise<T>, options: WithStoreOptions = {}): Promise<T> {
  const clock = options.clock ?? backgroundClock;
  // The drivers load only when a command opens a store: `plan --state` never needs them.
  const { isPostgresUrl, openMigratedStore } = await import('../store/open-store.js');
  if (!isPostgresUrl(db) && !options.create && !existsSync(db)) {
    throw new CliError(`no Muster database at ${db}: start the controller first, or name the database with --db or MUSTER_DB`, EXIT_INVALID);
  }
  let store: Store;
  try {
    store = await openMigratedStore(db, { clock });
  } catch (err) {
    throw new CliError(`cannot open ${db}: ${err instanceof Error ? err.message : String(err)}`, EXIT_INVALID);
  }
  try {
    return await fn(store, clock);
  } finally {
    await store.close();
  }
}

/**
 * Appliance ids declared in the fleet: from `--repo DIR` when given, otherwise from the desired state
 * the controller last applied (kept in the store).
 */
export async function declaredAppliances(store: Store, repo: string | undefined): Promise<string[]> {
  if (repo) {
    const result = await loadFleetDirectory(repo).catch((err: unknown) => {
      throw new CliError(`cannot read ${repo}: ${err instanceof Error ? err.message : String(err)}`, EXIT_USAGE);
    });
    if (!result.ok) throw new CliError(`${repo} is not a valid fleet repository: run \`muster validate ${repo}\``, EXIT_INVALID);
    return result.state.appliances.map((a) => a.name);
  }
  const saved = await store.loadDesiredState();
  if (!saved) {
    throw new CliError('no desired state in the store yet: start the controller once, or pass --repo DIR', EXIT_INVALID);
  }
  return saved.objects.filter((o) => o.kind === 'Appliance').map((o) => o.name).sort();
}
