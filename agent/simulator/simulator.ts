import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import type { UpdatePhase } from '../../controller/observed/state-schema.js';
import type { Clock } from '../clock.js';
import { Agent } from '../core/agent.js';
import type { AgentEvent } from '../core/events.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { checkIn } from '../protocol/checkin-client.js';
import { createHttpFetch, type FetchLike } from '../protocol/http-fetch.js';
import { MemoryStateStore, type Target } from '../state/local-state.js';
import type { Running } from '../update/decide.js';
import { DEFAULT_TIMINGS, type Behaviour, type SimulatedTimings } from './behaviours.js';
import { behaviourFor, DEFAULT_PROFILE, type SimulatorProfile } from './profile.js';
import { createSimulatedExecutor } from './simulated-executor.js';
import { simulatedIncidents } from './simulated-incidents.js';
import type { SimulatedIdentity } from './tokens.js';

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

export type SimulatorEvent = AgentEvent | { type: 'crashed'; at: number } | { type: 'rebooted'; at: number; running: Running };

/** One simulated appliance as it is now. */
export interface SimulatedApplianceStatus {
  id: string;
  behaviour: Behaviour;
  agentVersion: string | null;
  imageVersion: string | null;
  release: string | null;
  phase: UpdatePhase | null;
  attempt: number;
  error: string | null;
  crashed: boolean;
  checkins: number;
  lastOutcome: string | null;
}

export interface Simulator {
  /** Stops every appliance and releases connections and files; resolves when all are stopped. */
  stop(): Promise<void>;
  status(): SimulatedApplianceStatus[];
}

const DEFAULT_RUNNING: Running = { agentVersion: '0.0.0', imageVersion: '0' };

/** A number from an id: each appliance gets its own steady jitter, the same on every run. */
function idSeed(id: string): number {
  return createHash('sha256').update(id).digest().readUInt32BE(0);
}

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
  const fetch = options.fetch ?? (ownedFetch as NonNullable<typeof ownedFetch>).fetch;
  const ownedDir = options.download === 'real' && !options.workDir ? mkdtempSync(join(tmpdir(), 'muster-sim-')) : null;
  const workDir = options.workDir ?? ownedDir ?? '';
  const timers: unknown[] = [];
  const appliances = options.identities.map((identity) =>
    createAppliance(identity, { ...options, speed, random, profile, fetch, workDir, timers }),
  );
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

interface ApplianceContext extends SimulatorOptions {
  speed: number;
  random: () => number;
  profile: SimulatorProfile;
  fetch: FetchLike;
  workDir: string;
  timers: unknown[];
}

function createAppliance(identity: SimulatedIdentity, ctx: ApplianceContext) {
  const id = identity.appliance;
  const behaviour = behaviourFor(ctx.profile, id);
  const seed = idSeed(id);
  const jitter = 0.75 + (seed % 1000) / 2000;
  const base = { ...DEFAULT_TIMINGS, ...ctx.timings };
  const scale = (ms: number) => (ms * jitter) / ctx.speed;
  const timings = { ...base, download: scale(base.download), verify: scale(base.verify), install: scale(base.install), reboot: scale(base.reboot) };
  let running: Running = { ...(ctx.profile.initialVersion ?? DEFAULT_RUNNING) };
  let crashed = false;
  let started = false;
  let checkins = 0;
  let lastOutcome: string | null = null;
  const installingWaiters = new Set<() => void>();
  const store = new MemoryStateStore();
  const emit = (event: SimulatorEvent) => ctx.onEvent?.({ id, behaviour }, event);

  const onEvent = (event: AgentEvent) => {
    if (event.type === 'checkin') {
      checkins++;
      lastOutcome = event.outcome.kind;
      if (event.outcome.kind === 'ok' && event.report.update?.phase === 'installing') for (const w of installingWaiters) w();
      if (behaviour === 'offline' && !crashed) crash();
    }
    emit(event);
  };

  const agent: Agent = new Agent(
    {
      clock: ctx.clock,
      random: ctx.random,
      store,
      checkin: (report, signal) => checkIn({ server: ctx.server, token: identity.token, report, fetch: ctx.fetch, now: ctx.clock.now(), signal }),
      readRunning: async () => running,
      executor: createSimulatedExecutor({
        id,
        behaviour,
        clock: ctx.clock,
        timings,
        download: ctx.download === 'real' ? { kind: 'real', dir: ctx.workDir, fetch: ctx.fetch } : { kind: 'pretend' },
        hooks: {
          crash,
          installingReported: (signal) =>
            new Promise<void>((resolve) => {
              const done = () => {
                installingWaiters.delete(done);
                resolve();
              };
              installingWaiters.add(done);
              signal.addEventListener('abort', done, { once: true });
            }),
          installed: (work: Target) => {
            ctx.timers.push(
              ctx.clock.setTimeout(() => {
                if (crashed) return;
                running = { agentVersion: work.version, imageVersion: work.image.version };
                emit({ type: 'rebooted', at: ctx.clock.now(), running });
                agent.wake();
              }, timings.reboot),
            );
          },
        },
      }),
      retention: simulatedIncidents(seed, ctx.clock.now()),
      logger: ctx.logger ?? silentLogger,
      onEvent,
    },
    { applyUpdates: behaviour !== 'ignores-updates', ...(ctx.maxAttempts !== undefined ? { maxAttempts: ctx.maxAttempts } : {}) },
  );

  function crash(): void {
    if (crashed) return;
    crashed = true;
    emit({ type: 'crashed', at: ctx.clock.now() });
    void agent.stop();
  }

  return {
    start() {
      if (crashed || started) return;
      started = true;
      agent.start();
    },
    stop: () => agent.stop(),
    status(): SimulatedApplianceStatus {
      const state = store.load();
      return {
        id,
        behaviour,
        agentVersion: running.agentVersion,
        imageVersion: running.imageVersion,
        release: state.work?.name ?? null,
        phase: state.phase,
        attempt: state.attempt,
        error: state.error,
        crashed,
        checkins,
        lastOutcome,
      };
    },
  };
}
