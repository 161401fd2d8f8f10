import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { systemClock } from '../../lib/clock.js';
import { createApplianceAgent, type ApplianceAgentConfig } from '../core/appliance-agent.js';
import type { AgentEvent } from '../core/events.js';
import { parseDeferWindows, systemTimeZone } from '../update/defer-window.js';
import { createStderrLogger } from './logger.js';
import { duration, positiveInteger, UsageError } from './usage.js';

interface RunFlags {
  server?: string;
  token?: string;
  stateDir?: string;
  ca?: string;
  versionFile?: string;
  installCmd?: string;
  incidentsDb?: string;
  deferWindow?: string;
  maxAttempts?: number;
  rebootTimeout?: number;
  once?: boolean;
}

/** Declares the agent's own flags on the root command: `muster-agent --server URL --token T --state-dir DIR …`. */
export function declareRunFlags(program: Command): Command {
  return program
    .option('--server <url>', 'the controller, e.g. https://muster.example.org')
    .option('--token <token>', 'this appliance’s check-in token (default: $MUSTER_AGENT_TOKEN)')
    .option('--state-dir <dir>', 'where the agent keeps its state and downloads')
    .option('--ca <file>', 'PEM file of the CA that signed the controller’s certificate (default: system CAs)')
    .option('--version-file <file>', 'JSON {agentVersion, imageVersion} written by the installer (default: STATE_DIR/version.json)')
    .option('--install-cmd <command>', 'installer hook, run as COMMAND IMAGE_PATH VERSION; exit 0 means installed')
    .option('--incidents-db <file>', 'the incidents SQLite database retention applies to')
    .option('--defer-window <windows>', 'no updates inside, local time, e.g. "mon-fri 08:00-18:00, sat 09:00-12:00"')
    .option('--max-attempts <n>', 'attempts at one release before giving up (default 5)', positiveInteger)
    .option('--reboot-timeout <duration>', 'how long after the install the new version may take to show (default 15m)', duration)
    .option('--once', 'check in once, act on the answer, report, and exit (0 when the controller answered)');
}

/** Turns the flags into an agent configuration; missing or bad flags are usage errors. */
export function runConfig(flags: RunFlags, env: NodeJS.ProcessEnv = process.env): ApplianceAgentConfig {
  const token = flags.token ?? env.MUSTER_AGENT_TOKEN;
  const missing = [!flags.server && '--server', !token && '--token', !flags.stateDir && '--state-dir'].filter(Boolean);
  if (missing.length) throw new UsageError(`missing ${missing.join(', ')} (see muster-agent --help)`);
  const windows = flags.deferWindow ? parseDeferWindows(flags.deferWindow) : { windows: [] };
  if ('errors' in windows) throw new UsageError(windows.errors.join('; '));
  let ca: string | undefined;
  if (flags.ca) {
    try {
      ca = readFileSync(flags.ca, 'utf8');
    } catch (err) {
      throw new UsageError(`cannot read --ca ${flags.ca}: ${(err as Error).message}`);
    }
  }
  try {
    new URL(flags.server as string);
  } catch {
    throw new UsageError(`--server ${flags.server} is not a URL`);
  }
  return {
    server: flags.server as string,
    token: token as string,
    stateDir: flags.stateDir as string,
    ...(ca !== undefined ? { ca } : {}),
    ...(flags.versionFile ? { versionFile: flags.versionFile } : {}),
    ...(flags.installCmd ? { installCmd: flags.installCmd } : {}),
    ...(flags.incidentsDb ? { incidentsDb: flags.incidentsDb } : {}),
    deferWindows: windows.windows,
    timeZone: systemTimeZone(),
    ...(flags.maxAttempts !== undefined ? { maxAttempts: flags.maxAttempts } : {}),
    ...(flags.rebootTimeout !== undefined ? { rebootTimeoutMs: flags.rebootTimeout } : {}),
  };
}

/**
 * Runs the agent until SIGTERM or SIGINT (then stops cleanly and exits 0), or once with `--once`
 * (exit 0 when the controller answered, 1 otherwise). Logs JSON lines on stderr.
 */
export async function runAgent(flags: RunFlags): Promise<number> {
  const config = runConfig(flags);
  const logger = createStderrLogger('muster-agent');
  const onEvent = (event: AgentEvent) => {
    if (event.type === 'checkin' && event.outcome.kind === 'ok') logger.debug({ nextInMs: event.nextInMs }, 'checked in');
  };
  const { agent, close } = createApplianceAgent(config, { clock: systemClock, logger, onEvent });
  logger.info({ server: config.server, stateDir: config.stateDir, once: Boolean(flags.once) }, 'agent starting');
  if (flags.once) {
    const outcome = await agent.runOnce();
    await close();
    logger.info({ outcome: outcome.kind }, 'agent done');
    return outcome.kind === 'ok' ? 0 : 1;
  }
  agent.start();
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'agent stopping');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await close();
  logger.info({}, 'agent stopped');
  return 0;
}
