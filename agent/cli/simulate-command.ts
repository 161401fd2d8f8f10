import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { systemClock } from '../../lib/clock.js';
import { createHttpFetch } from '../protocol/http-fetch.js';
import { DEFAULT_PROFILE, parseProfile, type SimulatorProfile } from '../simulator/profile.js';
import { startSimulator, type SimulatedApplianceStatus, type SimulatorEvent } from '../simulator/simulator.js';
import { parseTokens, type SimulatedIdentity } from '../simulator/tokens.js';
import type { Behaviour } from '../simulator/behaviours.js';
import { createStderrLogger } from './logger.js';
import { duration, positiveInteger, positiveNumber, UsageError } from './usage.js';

interface SimulateFlags {
  server: string;
  count?: number;
  tokens?: string;
  profile?: string;
  speed: number;
  download: 'pretend' | 'real';
  ca?: string;
  maxAttempts?: number;
  summaryEvery?: number;
}

/** Adds `muster-agent simulate`: N simulated appliances against a controller. */
export function declareSimulate(program: Command, run: (flags: SimulateFlags) => Promise<number>): void {
  program
    .command('simulate')
    .description('run N simulated appliances in this process against a controller')
    .requiredOption('--server <url>', 'the controller')
    .option('--count <n>', 'how many appliances (default: every one in --tokens)', positiveInteger)
    .option('--tokens <file>', 'JSON from `muster appliance token --all --format json`')
    .option('--profile <file>', 'JSON mapping appliance ids or patterns to behaviours')
    .option('--speed <x>', 'divide the simulated durations by X', positiveNumber, 1)
    .addOption(new Option('--download <mode>', 'fetch images for real, or pretend').choices(['pretend', 'real']).default('pretend'))
    .option('--ca <file>', 'PEM file of the CA that signed the controller’s certificate')
    .option('--max-attempts <n>', 'attempts at one release before an appliance gives up (default 5)', positiveInteger)
    .option('--summary-every <duration>', 'log a fleet summary this often (default 10s)', duration)
    .action(async (flags: SimulateFlags) => {
      process.exitCode = await run(flags);
    });
}

function readText(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${flag} ${path}: ${(err as Error).message}`);
  }
}

function readJson(flag: string, path: string): unknown {
  const text = readText(flag, path);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${flag} ${path} is not JSON: ${(err as Error).message}`);
  }
}

/** The appliances to play: the first N of the tokens file, or `sim-0001…` whose token is their id. */
export function simulatedIdentities(flags: Pick<SimulateFlags, 'tokens' | 'count'>): SimulatedIdentity[] {
  if (!flags.tokens) {
    if (!flags.count) throw new UsageError('give --tokens FILE, or --count N for appliances sim-0001… whose token is their id');
    return Array.from({ length: flags.count }, (_, i) => {
      const id = `sim-${String(i + 1).padStart(4, '0')}`;
      return { appliance: id, token: id };
    });
  }
  const parsed = parseTokens(readJson('--tokens', flags.tokens));
  if ('errors' in parsed) throw new UsageError(`--tokens ${flags.tokens}: ${parsed.errors.join('; ')}`);
  const count = flags.count ?? parsed.tokens.length;
  if (count > parsed.tokens.length) throw new UsageError(`--count ${count} but ${flags.tokens} holds ${parsed.tokens.length} tokens`);
  return parsed.tokens.slice(0, count);
}

function loadProfile(path: string | undefined): SimulatorProfile {
  if (!path) return DEFAULT_PROFILE;
  const parsed = parseProfile(readJson('--profile', path));
  if ('errors' in parsed) throw new UsageError(`--profile ${path}: ${parsed.errors.join('; ')}`);
  return parsed.profile;
}

/** Counts of appliances per phase (and crashed), for the periodic summary line. */
export function summarize(status: SimulatedApplianceStatus[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of status) {
    const key = s.crashed ? 'crashed' : (s.phase ?? 'idle');
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Runs the simulator until SIGINT or SIGTERM, logging each appliance's phases as JSON lines on stderr. */
export async function runSimulate(flags: SimulateFlags): Promise<number> {
  const identities = simulatedIdentities(flags);
  const profile = loadProfile(flags.profile);
  const ca = flags.ca ? readText('--ca', flags.ca) : undefined;
  const logger = createStderrLogger('muster-simulator');
  const http = createHttpFetch(ca !== undefined ? { ca } : {});
  const lastOutcome = new Map<string, string>();
  const onEvent = (appliance: { id: string; behaviour: Behaviour }, event: SimulatorEvent) => {
    const fields = { appliance: appliance.id, behaviour: appliance.behaviour };
    if (event.type === 'phase') logger.info({ ...fields, release: event.release, attempt: event.attempt, error: event.error }, `update ${event.phase}`);
    else if (event.type === 'crashed') logger.warn(fields, 'appliance went silent');
    else if (event.type === 'rebooted') logger.info({ ...fields, ...event.running }, 'appliance rebooted');
    else if (event.type === 'checkin' && lastOutcome.get(appliance.id) !== event.outcome.kind) {
      lastOutcome.set(appliance.id, event.outcome.kind);
      const message = event.outcome.kind === 'ok' ? null : event.outcome.message;
      (event.outcome.kind === 'ok' ? logger.info : logger.warn).call(logger, { ...fields, outcome: event.outcome.kind, message }, 'check-in');
    }
  };
  const simulator = startSimulator({
    server: flags.server,
    identities,
    profile,
    clock: systemClock,
    speed: flags.speed,
    download: flags.download,
    fetch: http.fetch,
    ...(flags.maxAttempts !== undefined ? { maxAttempts: flags.maxAttempts } : {}),
    logger,
    onEvent,
  });
  logger.info({ server: flags.server, appliances: identities.length, speed: flags.speed, download: flags.download }, 'simulator started');
  // Wall time on purpose: a summary line for the operator watching, not part of the simulated fleet.
  const summary = setInterval(() => logger.info({ phases: summarize(simulator.status()) }, 'fleet'), flags.summaryEvery ?? 10_000);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  clearInterval(summary);
  await simulator.stop();
  await http.close();
  logger.info({ phases: summarize(simulator.status()) }, 'simulator stopped');
  return 0;
}
