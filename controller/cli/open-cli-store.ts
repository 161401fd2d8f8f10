import { existsSync } from 'node:fs';
import { loadFleetDirectory } from '../desired/load-directory.js';
import type { Store } from '../store/store.js';
import { CliError, EXIT_INVALID, EXIT_USAGE } from './exit-codes.js';

/**
 * Runs `fn` with the store `db` names, opened and migrated, and closes it afterwards. A SQLite file
 * that does not exist is an error rather than a new empty database: the command would only print
 * nothing, and the path is more likely a typo.
 */
export async function withStore<T>(db: string, fn: (store: Store) => Promise<T>, options: { create?: boolean } = {}): Promise<T> {
  // The drivers load only when a command opens a store: `plan --state` never needs them.
  const { isPostgresUrl, openMigratedStore } = await import('../store/open-store.js');
  if (!isPostgresUrl(db) && !options.create && !existsSync(db)) {
    throw new CliError(`no Muster database at ${db}: start the controller first, or name the database with --db or MUSTER_DB`, EXIT_INVALID);
  }
  let store: Store;
  try {
    store = await openMigratedStore(db);
  } catch (err) {
    throw new CliError(`cannot open ${db}: ${err instanceof Error ? err.message : String(err)}`, EXIT_INVALID);
  }
  try {
    return await fn(store);
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
