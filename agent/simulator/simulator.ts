import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../lib/clock.js';
import type { Logger } from '../core/logger.js';
import { createHttpFetch, type FetchLike } from '../protocol/http-fetch.js';
import type { Running } from '../update/decide.js';
import type { Behaviour, SimulatedTimings } from './behaviours.js';
import { behaviourFor, DEFAULT_PROFILE, type SimulatorProfile } from './profile.js';
import { SimulatedAppliance, type SimulatedApplianceStatus, type SimulatorEvent } from './simulated-appliance.js';
import type { SimulatedIdentity } from './tokens.js';

export type { SimulatedApplianceStatus, SimulatorEvent } from './simulated-appliance.js';

export interface SimulatorOptions {
  /** The controller's base URL. */
  server: string;
  /** The appliances to play, each with its check-in token. */
  identities: SimulatedIdentity[];
  profile?: SimulatorProfile;
  clock: Clock;
  random?: () => number;
  /** Divides the simulator's own durations (downloads, installs, reboots); 10 runs ten times faster. */
  speed?: number;
  /** `real` downloads every image over HTTP and verifies it; `pretend` (default) only takes the time. */
  download?: 'pretend' | 'real';
  /** Where real downloads go (default: a temporary directory removed at stop). */
  workDir?: string;
  /** Default: one HTTP pool for every appliance, trusting the system CAs. */
  fetch?: FetchLike;
  maxAttempts?: number;
  timings?: Partial<SimulatedTimings>;
  /** First check-ins are spread over this long (default 5 s, divided by the speed). */
  startSpreadMs?: number;
  logger?: Logger;
  onEvent?: (appliance: { id: string; behaviour: Behaviour }, event: SimulatorEvent) => void;
}

export interface Simulator {
  /** Stops every appliance and releases connections and files; resolves when all are stopped. */
  stop(): Promise<void>;
  status(): SimulatedApplianceStatus[];
}

const DEFAULT_RUNNING: Running = { agentVersion: '0.0.0', imageVersion: '0' };

/**
 * Starts N simulated appliances in this process. Each runs the real agent loop, `decide` and
 * check-in client against `server`, with in-memory state and an executor that plays its behaviour
 * on the injected clock. Returns a handle to read their status and stop them.
 */
export function startSimulator(options: SimulatorOptions): Simulator {
  const speed = options.speed && options.speed > 0 ? options.speed : 1;
  const random = options.random ?? Math.random;
  const profile = options.profile ?? DEFAULT_PROFILE;
  const ownedFetch = options.fetch ? null : createHttpFetch();
  const ownedDir = options.download === 'real' && !options.workDir ? mkdtempSync(join(tmpdir(), 'muster-sim-')) : null;
  const timers: unknown[] = [];
  const settings = {
    server: options.server,
    clock: options.clock,
    random,
    speed,
    fetch: options.fetch ?? ownedFetch!.fetch,
    downloadDir: options.download === 'real' ? (options.workDir ?? ownedDir) : null,
    initialVersion: profile.initialVersion ?? DEFAULT_RUNNING,
    timers,
    ...(options.timings ? { timings: options.timings } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  };
  const appliances = options.identities.map((identity) => new SimulatedAppliance(identity, behaviourFor(profile, identity.appliance), settings));
  const spread = (options.startSpreadMs ?? 5_000) / speed;
  for (const appliance of appliances) timers.push(options.clock.setTimeout(() => appliance.start(), random() * spread));

  return {
    async stop() {
      for (const timer of timers) options.clock.clearTimeout(timer);
      await Promise.all(appliances.map((a) => a.stop()));
      await ownedFetch?.close();
      if (ownedDir) rmSync(ownedDir, { recursive: true, force: true });
    },
    status: () => appliances.map((a) => a.status()),
  };
}
