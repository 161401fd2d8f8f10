import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { parseDuration } from '../../desired/quantities.js';
import { startController } from '../../runtime/controller.js';
import { StoreLockedError } from '../../store/store.js';
import { dbOption } from '../db-option.js';
import { CliError, EXIT_INVALID, EXIT_USAGE } from '../exit-codes.js';
import { cliLogger } from '../logger.js';

interface ControllerFlags {
  repo: string;
  branch?: string;
  cacheDir?: string;
  db: string;
  listen: string;
  tlsCert?: string;
  tlsKey?: string;
  interval: string;
  fetchInterval: string;
  publicUrl?: string;
  leaderHeartbeat: string;
  logLevel: string;
}

/** `HOST:PORT` (IPv6 in brackets) → its parts; a usage error otherwise. */
export function parseListen(listen: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(listen);
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw new CliError(`--listen must be HOST:PORT, got ${listen}`, EXIT_USAGE);
  return { host: (match[1] ?? match[2]) as string, port };
}

function durationFlag(name: string, value: string): number {
  const ms = parseDuration(value);
  if (ms === null || ms <= 0) throw new CliError(`${name} must be a duration such as 10s or 1m, got ${value}`, EXIT_USAGE);
  return ms;
}

function publicUrlFlag(value: string | undefined): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value;
  } catch {
    // reported below
  }
  throw new CliError(`--public-url must be an http:// or https:// URL, got ${value}`, EXIT_USAGE);
}

function tlsFlags(flags: ControllerFlags): { cert: Buffer; key: Buffer } | undefined {
  if (!flags.tlsCert && !flags.tlsKey) return undefined;
  if (!flags.tlsCert || !flags.tlsKey) throw new CliError('--tls-cert and --tls-key go together', EXIT_USAGE);
  try {
    return { cert: readFileSync(flags.tlsCert), key: readFileSync(flags.tlsKey) };
  } catch (err) {
    throw new CliError(`cannot read the TLS files: ${(err as Error).message}`, EXIT_USAGE);
  }
}

/**
 * Registers `muster controller`: runs the controller until SIGTERM or SIGINT, then drains in-flight
 * check-ins and exits 0. Exits 1 when it cannot start (another controller on the SQLite file, store
 * unreachable), 2 on bad flags.
 */
export function registerControllerCommand(program: Command): void {
  program
    .command('controller')
    .description('Run the controller: check-in API, reconcile loop, leader election')
    .requiredOption('--repo <repo>', 'fleet repository: a git URL (https://, ssh://, git@…, file://), a directory, or kubernetes://NAMESPACE')
    .option('--branch <branch>', 'branch to follow (git; default: the remote HEAD)')
    .option('--cache-dir <dir>', 'where the git clone is kept (default .muster/git)')
    .addOption(dbOption())
    .option('--listen <host:port>', 'address of the API', '127.0.0.1:8080')
    .option('--tls-cert <file>', 'serve HTTPS with this certificate (PEM)')
    .option('--tls-key <file>', 'and this key (PEM)')
    .option('--interval <duration>', 'time between reconcile passes', '10s')
    .option('--fetch-interval <duration>', 'time between fetches of a git remote', '60s')
    .addOption(new Option('--public-url <url>', 'base URL of the status page, for links in notifications').env('MUSTER_PUBLIC_URL'))
    .option('--leader-heartbeat <duration>', 'PostgreSQL: how often the leader checks its lock and followers try for it; a leader silent for three loses it', '5s')
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']).default('info'))
    .action(async (flags: ControllerFlags) => {
      const { host, port } = parseListen(flags.listen);
      const logger = cliLogger(flags.logLevel);
      const controller = await startController({
        repo: flags.repo,
        branch: flags.branch,
        cacheDir: flags.cacheDir,
        db: flags.db,
        host,
        port,
        tls: tlsFlags(flags),
        webhookSecret: process.env.MUSTER_WEBHOOK_SECRET || undefined,
        intervalMs: durationFlag('--interval', flags.interval),
        fetchIntervalMs: durationFlag('--fetch-interval', flags.fetchInterval),
        publicUrl: publicUrlFlag(flags.publicUrl),
        // One period for both: the leader's check of its lock, and followers' tries to take it over.
        leaderHeartbeatMs: durationFlag('--leader-heartbeat', flags.leaderHeartbeat),
        leaderRetryMs: durationFlag('--leader-heartbeat', flags.leaderHeartbeat),
        logger,
      }).catch((err: unknown) => {
        if (err instanceof StoreLockedError) throw new CliError(err.message, EXIT_INVALID);
        throw new CliError(`cannot start: ${err instanceof Error ? err.message : String(err)}`, EXIT_INVALID);
      });
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          logger.info({ signal }, 'stopping: draining in-flight check-ins');
          controller.stop().then(resolve, (err: unknown) => {
            logger.error({ err }, 'unclean stop');
            process.exitCode = EXIT_INVALID;
            resolve();
          });
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
    });
}
