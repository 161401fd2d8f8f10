import { createHash } from 'node:crypto';
import type { UpdatePhase } from '../../protocol/checkin-request.js';
import type { Clock } from '../../lib/clock.js';
import { Agent } from '../core/agent.js';
import type { AgentEvent } from '../core/events.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { checkIn } from '../protocol/checkin-client.js';
import type { FetchLike } from '../protocol/http-fetch.js';
import { MemoryStateStore, type Target } from '../state/local-state.js';
import type { Running } from '../update/decide.js';
import { DEFAULT_TIMINGS, type Behaviour, type SimulatedTimings } from './behaviours.js';
import { createSimulatedExecutor } from './simulated-executor.js';
import { simulatedIncidents } from './simulated-incidents.js';
import type { SimulatedIdentity } from './tokens.js';

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

/** What every appliance of one simulator shares. */
export interface ApplianceSettings {
  server: string;
  clock: Clock;
  random: () => number;
  speed: number;
  fetch: FetchLike;
  /** Set for real downloads: where images go. */
  downloadDir: string | null;
  initialVersion: Running;
  timings?: Partial<SimulatedTimings>;
  maxAttempts?: number;
  logger?: Logger;
  onEvent?: (appliance: { id: string; behaviour: Behaviour }, event: SimulatorEvent) => void;
  /** Timers the simulator clears when it stops. */
  timers: unknown[];
}

/** A number from an id: each appliance gets its own steady jitter, the same on every run. */
function idSeed(id: string): number {
  return createHash('sha256').update(id).digest().readUInt32BE(0);
}

/**
 * One simulated appliance: the real Agent with in-memory state, an in-memory version file, a
 * simulated incidents database, and an executor that plays `behaviour` on the injected clock.
 */
export class SimulatedAppliance {
  readonly id: string;
  private readonly store = new MemoryStateStore();
  private readonly agent: Agent;
  private readonly installingWaiters = new Set<() => void>();
  private readonly timings: SimulatedTimings;
  private running: Running;
  private crashed = false;
  private started = false;
  private checkins = 0;
  private lastOutcome: string | null = null;

  constructor(
    identity: SimulatedIdentity,
    readonly behaviour: Behaviour,
    private readonly settings: ApplianceSettings,
  ) {
    this.id = identity.appliance;
    this.running = { ...settings.initialVersion };
    const seed = idSeed(this.id);
    this.timings = scaledTimings({ ...DEFAULT_TIMINGS, ...settings.timings }, (0.75 + (seed % 1000) / 2000) / settings.speed);
    this.agent = new Agent(
      {
        clock: settings.clock,
        random: settings.random,
        store: this.store,
        checkin: (report, signal) =>
          checkIn({ server: settings.server, token: identity.token, report, fetch: settings.fetch, now: settings.clock.now(), signal }),
        readRunning: async () => this.running,
        executor: createSimulatedExecutor({
          id: this.id,
          behaviour,
          clock: settings.clock,
          timings: this.timings,
          download: settings.downloadDir ? { kind: 'real', dir: settings.downloadDir, fetch: settings.fetch } : { kind: 'pretend' },
          hooks: {
            crash: () => this.crash(),
            installingReported: (signal) => this.installingReported(signal),
            installed: (work) => this.rebootInto(work),
          },
        }),
        retention: simulatedIncidents(seed, settings.clock.now()),
        logger: settings.logger ?? silentLogger,
        onEvent: (event) => this.observe(event),
      },
      { applyUpdates: behaviour !== 'ignores-updates', ...(settings.maxAttempts !== undefined ? { maxAttempts: settings.maxAttempts } : {}) },
    );
  }

  start(): void {
    if (this.crashed || this.started) return;
    this.started = true;
    this.agent.start();
  }

  stop(): Promise<void> {
    return this.agent.stop();
  }

  status(): SimulatedApplianceStatus {
    const state = this.store.load();
    return {
      id: this.id,
      behaviour: this.behaviour,
      agentVersion: this.running.agentVersion,
      imageVersion: this.running.imageVersion,
      release: state.work?.name ?? null,
      phase: state.phase,
      attempt: state.attempt,
      error: state.error,
      crashed: this.crashed,
      checkins: this.checkins,
      lastOutcome: this.lastOutcome,
    };
  }

  private observe(event: AgentEvent): void {
    if (event.type === 'checkin') {
      this.checkins++;
      this.lastOutcome = event.outcome.kind;
      if (event.outcome.kind === 'ok' && event.report.update?.phase === 'installing') for (const wake of this.installingWaiters) wake();
      if (this.behaviour === 'offline') this.crash();
    }
    this.emit(event);
  }

  /** The appliance dies: no further check-in, whatever it was doing. */
  private crash(): void {
    if (this.crashed) return;
    this.crashed = true;
    this.emit({ type: 'crashed', at: this.settings.clock.now() });
    void this.agent.stop();
  }

  private installingReported(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        this.installingWaiters.delete(done);
        resolve();
      };
      this.installingWaiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** After the reboot time the appliance runs `work`, as its version file would say. */
  private rebootInto(work: Target): void {
    const { clock } = this.settings;
    const timer = clock.setTimeout(() => {
      if (this.crashed) return;
      this.running = { agentVersion: work.version, imageVersion: work.image.version };
      this.emit({ type: 'rebooted', at: clock.now(), running: this.running });
      this.agent.wake();
    }, this.timings.reboot);
    this.settings.timers.push(timer);
  }

  private emit(event: SimulatorEvent): void {
    this.settings.onEvent?.({ id: this.id, behaviour: this.behaviour }, event);
  }
}

function scaledTimings(base: SimulatedTimings, factor: number): SimulatedTimings {
  return {
    ...base,
    download: base.download * factor,
    verify: base.verify * factor,
    install: base.install * factor,
    reboot: base.reboot * factor,
  };
}
