import type { CheckinRequest } from '../../protocol/checkin-request.js';
import type { Clock } from '../../lib/clock.js';
import { CHECKIN_BACKOFF, checkinRetryDelayMs } from '../protocol/checkin-retry.js';
import type { CheckinOutcome } from '../protocol/checkin-client.js';
import type { RetentionPort } from '../retention/incidents-retention.js';
import type { RetentionGrant, StateStore, Target } from '../state/local-state.js';
import { sameTarget, type Running } from '../update/decide.js';
import { deferUntil, type DeferWindow } from '../update/defer-window.js';
import type { UpdateExecutor } from '../update/executor.js';
import type { AgentEvent } from './events.js';
import { silentLogger, type Logger } from './logger.js';
import { buildReport } from './report.js';
import { RetentionRunner } from './retention-runner.js';
import { UpdateWork } from './work.js';

export interface AgentDeps {
  clock: Clock;
  /** [0, 1): the jitter of every backoff. */
  random?: () => number;
  store: StateStore;
  checkin: (report: CheckinRequest, signal: AbortSignal) => Promise<CheckinOutcome>;
  readRunning: () => Promise<Running>;
  executor: UpdateExecutor;
  retention: RetentionPort | null;
  logger?: Logger;
  onEvent?: (event: AgentEvent) => void;
}

export interface AgentOptions {
  /** Attempts at one release before the agent gives up on it (until the target changes). */
  maxAttempts?: number;
  /** How long after a successful install the version file may still show the old version. */
  rebootTimeoutMs?: number;
  deferWindows?: readonly DeferWindow[];
  /** The zone the windows are read in: the appliance's local time. */
  timeZone?: string;
  /** False: the appliance checks in but never acts on a target (a simulator behaviour). */
  applyUpdates?: boolean;
}

/** An update step that failed unexpectedly (a bug, not a failed download) is tried again after this long. */
const WORK_RETRY_MS = 300_000;
/** Loop passes without waiting before the loop forces a pause: a guard against a bug spinning the CPU. */
const MAX_PASSES_WITHOUT_WAIT = 50;

/**
 * The appliance agent: checks in, applies the retention policy when due, and drives updates with
 * `decide`, all on the injected clock. One loop; the update work runs beside it so that check-ins
 * go on during a long download and a new target can cut it off.
 */
export class Agent {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly options: Required<AgentOptions>;
  private readonly work: UpdateWork;
  private readonly retention: RetentionRunner;
  private readonly stopController = new AbortController();
  private loop: Promise<void> | null = null;
  private working: Promise<void> | null = null;
  private wakeSleeper: (() => void) | null = null;
  private stopping = false;
  private nextCheckinAt = 0;
  private nextWorkAt = 0;
  private checkinFailures = 0;
  private lastCheckinOk = false;
  private reportPending = false;
  /** Set when something asks for a fresh decision while the work runs; honoured when it ends. */
  private redecide = false;

  constructor(
    private readonly deps: AgentDeps,
    options: AgentOptions = {},
  ) {
    this.clock = deps.clock;
    this.logger = deps.logger ?? silentLogger;
    this.options = {
      maxAttempts: options.maxAttempts ?? 5,
      rebootTimeoutMs: options.rebootTimeoutMs ?? 15 * 60_000,
      deferWindows: options.deferWindows ?? [],
      timeZone: options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
      applyUpdates: options.applyUpdates ?? true,
    };
    this.work = new UpdateWork({
      clock: this.clock,
      random: deps.random ?? Math.random,
      store: deps.store,
      executor: deps.executor,
      readRunning: deps.readRunning,
      deferUntil: (now) => this.deferUntil(now),
      maxAttempts: this.options.maxAttempts,
      rebootTimeoutMs: this.options.rebootTimeoutMs,
      emit: (event) => this.emit(event),
      logger: this.logger,
      phaseChanged: () => this.requestReport(),
    });
    this.retention = new RetentionRunner({
      clock: this.clock,
      store: deps.store,
      retention: deps.retention,
      logger: this.logger,
      emit: (event) => this.emit(event),
      pruned: () => this.requestReport(),
    });
  }

  /** True while a check-in, a prune or an update step is under way; false while the agent only waits. */
  get busy(): boolean {
    return this.working !== null || this.wakeSleeper === null;
  }

  /** Starts the loop; it runs until `stop`. */
  start(): void {
    this.loop ??= this.run();
  }

  /**
   * Stops the loop: an in-flight check-in is abandoned, a download is cut off and left resumable,
   * a running install command is waited for. Resolves once nothing runs any more.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopController.abort();
    this.work.stop();
    this.wake();
    await this.loop;
    await this.working;
  }

  /** Ends the current wait early (the simulator calls it when an appliance's version changes). */
  wake(): void {
    this.decideSoon();
    this.wakeSleeper?.();
  }

  /**
   * One pass for `--once`: a check-in, retention when due, the update steps up to the next wait,
   * and a second check-in when that changed a phase. Resolves to the last check-in's outcome.
   */
  async runOnce(): Promise<CheckinOutcome> {
    let outcome = await this.checkIn();
    await this.retention.pruneIfDue();
    if (outcome.kind === 'ok' && this.options.applyUpdates) await this.work.run();
    if (outcome.kind === 'ok' && this.reportPending) outcome = await this.checkIn();
    return outcome;
  }

  private async run(): Promise<void> {
    let passes = 0;
    while (!this.stopping) {
      if (this.clock.now() >= this.nextCheckinAt) await this.checkIn();
      if (this.stopping) break;
      if (this.clock.now() >= this.retention.nextAt) await this.retention.pruneIfDue();
      if (!this.working && this.options.applyUpdates && this.clock.now() >= this.nextWorkAt) this.startWork();
      const now = this.clock.now();
      const workAt = this.working || !this.options.applyUpdates ? Infinity : this.nextWorkAt;
      let until = Math.min(this.nextCheckinAt, workAt, this.retention.nextAt);
      if (until > now) passes = 0;
      else if (++passes > MAX_PASSES_WITHOUT_WAIT) {
        this.logger.error({ passes }, 'agent loop made no progress; pausing');
        until = now + CHECKIN_BACKOFF.floorMs;
        passes = 0;
      }
      await this.sleepUntil(Math.max(until, now));
    }
  }

  private startWork(): void {
    this.nextWorkAt = Infinity;
    this.redecide = false;
    this.working = this.work
      .run()
      .then(
        (next) => {
          this.nextWorkAt = this.redecide ? this.clock.now() : next;
        },
        (err: unknown) => {
          this.logger.error({ err: String(err) }, 'update step failed unexpectedly');
          this.nextWorkAt = this.clock.now() + WORK_RETRY_MS;
        },
      )
      .finally(() => {
        this.working = null;
        this.wakeSleeper?.();
      });
  }

  /** Sends one check-in and schedules the next: the server's interval after success, backoff otherwise. */
  private async checkIn(): Promise<CheckinOutcome> {
    const now = this.clock.now();
    this.reportPending = false;
    const defer = this.deferUntil(now);
    if (defer !== this.deps.store.load().deferUntil) this.deps.store.save({ deferUntil: defer });
    const measure = await this.retention.measure();
    const running = await this.deps.readRunning();
    // Read after the awaits: the update work runs beside this and may have moved on meanwhile.
    const report = buildReport({
      state: this.deps.store.load(),
      running,
      incidents: measure,
      ...(this.options.deferWindows.length ? { deferUntil: defer } : {}),
      reportUpdate: this.options.applyUpdates,
    });
    const outcome = await this.deps.checkin(report, this.stopController.signal);
    const after = this.clock.now();
    if (outcome.kind === 'ok') {
      this.checkinFailures = 0;
      this.lastCheckinOk = true;
      this.nextCheckinAt = after + outcome.response.checkinIntervalSeconds * 1000;
      this.accept(outcome.response.target, outcome.response.retention);
      this.decideSoon();
      this.retention.checkAt(after);
      if (this.reportPending) this.nextCheckinAt = after;
    } else {
      this.checkinFailures++;
      this.lastCheckinOk = false;
      const retryAfter = outcome.kind === 'retry-after' ? outcome.retryAfterMs : null;
      const delay = checkinRetryDelayMs(this.checkinFailures, retryAfter, this.deps.random ?? Math.random);
      this.nextCheckinAt = after + delay;
      if (!this.stopping) this.logger.warn({ outcome: outcome.kind, message: outcome.message, retryInMs: delay }, 'check-in failed');
    }
    this.emit({ type: 'checkin', at: after, report, outcome, nextInMs: this.nextCheckinAt - after });
    return outcome;
  }

  /** Takes the server's answer as the new truth; a changed target cuts off the work on the old one. */
  private accept(target: Target | null, retention: RetentionGrant | null): void {
    const state = this.deps.store.load();
    const serverTarget = this.options.applyUpdates ? target : null;
    if (!sameTarget(state.serverTarget, serverTarget)) {
      this.logger.info({ from: state.serverTarget?.name ?? null, to: serverTarget?.name ?? null }, 'target changed');
      this.work.targetChanged();
    }
    this.deps.store.save({ serverTarget, retention });
  }

  /** Something worth reporting happened: check in now, unless the server is failing (then backoff rules). */
  private requestReport(): void {
    this.reportPending = true;
    if (!this.lastCheckinOk) return;
    this.nextCheckinAt = Math.min(this.nextCheckinAt, this.clock.now());
    this.wakeSleeper?.();
  }

  /** The work decides again as soon as it can: now when idle, when the running step ends otherwise. */
  private decideSoon(): void {
    if (this.working) this.redecide = true;
    else this.nextWorkAt = Math.min(this.nextWorkAt, this.clock.now());
  }

  private deferUntil(now: number): number | null {
    return this.options.deferWindows.length ? deferUntil(this.options.deferWindows, now, this.options.timeZone) : null;
  }

  private sleepUntil(at: number): Promise<void> {
    return new Promise((resolve) => {
      let handle: unknown = null;
      const done = () => {
        this.clock.clearTimeout(handle);
        this.wakeSleeper = null;
        resolve();
      };
      handle = this.clock.setTimeout(done, at - this.clock.now());
      this.wakeSleeper = done;
      if (this.stopping) done();
    });
  }

  private emit(event: AgentEvent): void {
    this.deps.onEvent?.(event);
  }
}
