import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { eventually } from '../helpers/eventually.js';

const MAIN = resolve('dist/controller/cli/main.js');

/** A `muster controller` running as its own process (from the build), to be killed for real. */
export interface ControllerProcess {
  url: string;
  pid: number;
  /** Resolves when the process has ended, with its exit code or the signal that ended it. */
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** True when a fail point armed in its environment killed it before it answered. */
  diedStarting: boolean;
  /** SIGKILL: no drain, no release, nothing flushed; resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: the process freezes with its connections open. */
  freeze(): void;
  thaw(): void;
  /** SIGTERM, then waits for the clean exit. */
  stop(): Promise<void>;
}

export interface ControllerArgs {
  repo: string;
  db: string;
  port: number;
  cacheDir: string;
  interval?: string;
  fetchInterval?: string;
  leaderHeartbeat?: string;
  env?: Record<string, string>;
}

/** A TCP port free now on 127.0.0.1, so a restarted controller can come back on the same address. */
export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => child.once('exit', () => done()));
}

/** Starts the controller and resolves once `/healthz` answers; rejects with its stderr if it exits first. */
export async function spawnController(args: ControllerArgs): Promise<ControllerProcess> {
  const child = spawn(
    process.execPath,
    [MAIN, 'controller', '--repo', args.repo, '--db', args.db, '--listen', `127.0.0.1:${args.port}`, '--cache-dir', args.cacheDir,
      '--interval', args.interval ?? '300ms', '--fetch-interval', args.fetchInterval ?? '1s',
      '--leader-heartbeat', args.leaderHeartbeat ?? '5s', '--log-level', 'error'],
    { env: { ...process.env, ...args.env }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const url = `http://127.0.0.1:${args.port}`;
  // A fail point may fire before the first answer (a fetch at start, a pass at once): that death is the test's.
  const armed = args.env?.MUSTER_FAILPOINTS !== undefined;
  await eventually(async () => {
    if (armed && child.signalCode === 'SIGKILL') return true;
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`controller exited ${child.exitCode ?? child.signalCode}: ${stderr}`);
    return fetch(`${url}/healthz`).then((r) => r.ok, () => false);
  }, { what: 'the controller to answer', timeoutMs: 30_000 });
  return {
    url,
    pid: child.pid as number,
    exit,
    diedStarting: child.signalCode === 'SIGKILL',
    kill: async () => {
      child.kill('SIGKILL');
      await exited(child);
    },
    freeze: () => void child.kill('SIGSTOP'),
    thaw: () => void child.kill('SIGCONT'),
    stop: async () => {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      await exited(child);
    },
  };
}
