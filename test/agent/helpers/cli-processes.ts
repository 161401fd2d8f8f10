import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { eventually } from '../../helpers/eventually.js';

const MUSTER = fileURLToPath(new URL('../../../dist/controller/cli/main.js', import.meta.url));
const MUSTER_AGENT = fileURLToPath(new URL('../../../dist/agent/cli/main.js', import.meta.url));

/** One JSON log line (pino): `time` in ms since the epoch, `msg`, and the event's own fields. */
export interface LogLine {
  level: number;
  time: number;
  msg: string;
  [field: string]: unknown;
}

/**
 * A built CLI (`muster` or `muster-agent`) running as a real child process, its stderr read as JSON
 * log lines. Every process made here is remembered so `killAll` can clean up after a failed test.
 */
export class CliProcess {
  private static readonly live = new Set<CliProcess>();
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private stderr = '';

  constructor(script: string, args: string[], options: { env?: NodeJS.ProcessEnv; nodeArgs?: string[] } = {}) {
    this.child = spawn(process.execPath, [...(options.nodeArgs ?? []), script, ...args], {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    CliProcess.live.add(this);
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        CliProcess.live.delete(this);
        resolve({ code, signal });
      }),
    );
  }

  /** Complete JSON lines written to stderr so far; anything else there is skipped. */
  lines(): LogLine[] {
    return this.stderr
      .split('\n')
      .slice(0, -1)
      .flatMap((line) => {
        try {
          const parsed = JSON.parse(line) as LogLine;
          return typeof parsed.msg === 'string' ? [parsed] : [];
        } catch {
          return [];
        }
      });
  }

  /** The log lines with this message. */
  logged(msg: string): LogLine[] {
    return this.lines().filter((line) => line.msg === msg);
  }

  /** Waits, bounded, until a line with this message (and passing `match`) has been logged; returns it. */
  waitForLog(msg: string, what: string, timeoutMs = 15_000, match: (line: LogLine) => boolean = () => true): Promise<LogLine> {
    return eventually(() => this.logged(msg).find(match), { what: () => `${what}; stderr so far:\n${this.stderr}`, timeoutMs });
  }

  /** Sends `signal` and waits, bounded, for the process to exit. */
  async stop(signal: NodeJS.Signals, timeoutMs = 15_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.kill(signal);
    let result: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    void this.exited.then((r) => (result = r));
    return eventually(() => result, { what: () => `the process to exit after ${signal}; stderr so far:\n${this.stderr}`, timeoutMs });
  }

  /** The whole of stderr, for failure messages. */
  output(): string {
    return this.stderr;
  }

  /** SIGKILLs every process still running (a test's cleanup). */
  static async killAll(): Promise<void> {
    const running = [...CliProcess.live];
    for (const p of running) p.child.kill('SIGKILL');
    await Promise.all(running.map((p) => p.exited));
  }
}

/** Runs `muster controller` on a fleet directory and a SQLite file, listening on 127.0.0.1:port. */
export async function startMusterController(options: { repo: string; db: string; port: number; interval?: string }): Promise<CliProcess> {
  const controller = new CliProcess(MUSTER, [
    'controller',
    '--repo',
    options.repo,
    '--db',
    options.db,
    '--listen',
    `127.0.0.1:${options.port}`,
    '--interval',
    options.interval ?? '1s',
  ]);
  await Promise.race([
    controller.waitForLog('controller started', 'the controller to start'),
    controller.exited.then(({ code }) => {
      throw new Error(`muster controller exited ${code}:\n${controller.output()}`);
    }),
  ]);
  return controller;
}

/** Runs `muster-agent` with these flags; `env` adds to the environment (the token, the log level). */
export function startMusterAgent(args: string[], options: { env?: NodeJS.ProcessEnv; nodeArgs?: string[] } = {}): CliProcess {
  return new CliProcess(MUSTER_AGENT, args, options);
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the controller must listen on a known port to come back on it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}
