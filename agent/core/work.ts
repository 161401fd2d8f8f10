import type { UpdatePhase } from '../../protocol/checkin-request.js';
import { backoffDelayMs, type BackoffPolicy } from '../../lib/backoff.js';
import type { Clock } from '../../lib/clock.js';
import { NO_PROGRESS, type LocalState, type StateStore, type Target } from '../state/local-state.js';
import { decide, type Running, type Step } from '../update/decide.js';
import type { DownloadProgress } from '../update/download.js';
import type { StepOutcome, UpdateExecutor } from '../update/executor.js';
import type { AgentEvent } from './events.js';
import type { Logger } from './logger.js';

export interface WorkContext {
  clock: Clock;
  random: () => number;
  store: StateStore;
  executor: UpdateExecutor;
  readRunning: () => Promise<Running>;
  deferUntil: (now: number) => number | null;
  maxAttempts: number;
  rebootTimeoutMs: number;
  emit: (event: AgentEvent) => void;
  logger: Logger;
  /** A phase changed: the agent reports it at once rather than at the next interval. */
  phaseChanged: () => void;
}

/** Update attempts: a failed download or install is retried within half a minute, then up to an hour. */
export const UPDATE_BACKOFF: BackoffPolicy = { baseMs: 30_000, maxMs: 3_600_000, floorMs: 5_000, jitter: 'full' };

/** Progress is saved every this many bytes: often enough to show, rarely enough not to wear the disk. */
const PROGRESS_SAVE_BYTES = 1 << 20;
/** Steps one run may take before it yields; a full update is about six. */
const MAX_STEPS = 25;

/**
 * The imperative shell around `decide`: asks it for a step, carries the step out through the
 * executor, records the phase, and asks again, until a step says to wait.
 */
export class UpdateWork {
  private abort: AbortController | null = null;
  private running: Step['kind'] | null = null;
  private stopped = false;

  constructor(private readonly ctx: WorkContext) {}

  /** Runs steps until one waits; resolves to when to decide again (Infinity: after the next check-in). */
  async run(): Promise<number> {
    for (let i = 0; i < MAX_STEPS && !this.stopped; i++) {
      const state = this.ctx.store.load();
      const running = await this.ctx.readRunning();
      const now = this.ctx.clock.now();
      const step = decide({
        state,
        running,
        now,
        deferUntil: this.ctx.deferUntil(now),
        maxAttempts: this.ctx.maxAttempts,
        rebootTimeoutMs: this.ctx.rebootTimeoutMs,
      });
      this.ctx.emit({ type: 'step', at: now, step });
      const next = await this.execute(step, state);
      if (next !== 'continue') return next;
    }
    return this.stopped ? Infinity : this.ctx.clock.now() + 1_000;
  }

  /** The server's target changed: a running download or verification is cut off; the next step switches. */
  targetChanged(): void {
    if (this.running === 'download' || this.running === 'verify') this.abort?.abort();
  }

  /** Cuts off the running step, leaving it resumable, and takes no further step. */
  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }

  private async execute(step: Step, state: LocalState): Promise<number | 'continue'> {
    switch (step.kind) {
      case 'idle':
        return Infinity;
      case 'wait':
      case 'defer':
        return step.until;
      case 'switch':
        await this.switchTo(step.target, step.discard);
        return 'continue';
      case 'succeed':
        // The image goes before the success is recorded: once the controller hears of it, nothing is left behind.
        await this.ctx.executor.cleanup(null);
        this.setPhase(state.work, 'succeeded', { error: null, nextAttemptAt: null });
        return 'continue';
      case 'download':
        return this.download(step.attempt, state);
      case 'verify':
        return this.settle(await this.guarded('verify', (signal) => this.ctx.executor.verify(this.work(), signal)), () =>
          this.ctx.store.save({ verified: true }),
        );
      case 'install':
        this.setPhase(state.work, 'installing', {});
        return this.settle(await this.guarded('install', (signal) => this.ctx.executor.install(this.work(), signal)), () =>
          this.setPhase(state.work, 'rebooting', {}),
        );
      case 'fail':
        this.fail(step.error);
        return 'continue';
    }
  }

  private async switchTo(target: Target | null, discard: Target | null): Promise<void> {
    if (discard) await this.ctx.executor.discard(discard);
    await this.ctx.executor.cleanup(target);
    this.ctx.store.save({ work: target, ...NO_PROGRESS });
    this.ctx.logger.info({ release: target?.name ?? null, discarded: discard?.name ?? null }, 'new target');
  }

  private async download(attempt: number, state: LocalState): Promise<number | 'continue'> {
    // A download cut off by a restart goes on under the same attempt, with its original `since`.
    if (state.phase !== 'downloading' || state.attempt !== attempt) {
      this.setPhase(state.work, 'downloading', { attempt, error: null, verified: false });
    }
    const work = this.work();
    let saved = { bytes: state.downloadedBytes, validator: state.downloadValidator };
    const onProgress = (p: DownloadProgress) => {
      const worth = p.bytes - saved.bytes >= PROGRESS_SAVE_BYTES || p.bytes === p.total || p.bytes < saved.bytes;
      // The validator is saved at once: a resume after a crash needs it for If-Range.
      if (!worth && p.validator === saved.validator) return;
      saved = { bytes: p.bytes, validator: p.validator };
      this.ctx.store.save({ downloadedBytes: p.bytes, downloadTotal: p.total, downloadValidator: p.validator });
      this.ctx.emit({ type: 'progress', at: this.ctx.clock.now(), release: work.name, bytes: p.bytes, total: p.total });
    };
    const outcome = await this.guarded('download', (signal) => this.ctx.executor.download(work, this.ctx.store.load(), signal, onProgress));
    return this.settle(outcome, () => this.setPhase(work, 'verifying', { verified: false }));
  }

  /** Runs one executor call with an AbortController that `targetChanged` and `stop` can fire. */
  private async guarded(kind: Step['kind'], call: (signal: AbortSignal) => Promise<StepOutcome>): Promise<StepOutcome> {
    this.abort = new AbortController();
    this.running = kind;
    try {
      return await call(this.abort.signal);
    } finally {
      this.abort = null;
      this.running = null;
    }
  }

  /** ok: record success and go on; failed: record the failure and go on (decide schedules the retry); aborted: stop or re-decide. */
  private settle(outcome: StepOutcome, onOk: () => void): number | 'continue' {
    if (outcome.kind === 'ok') onOk();
    else if (outcome.kind === 'failed') this.fail(outcome.error);
    else if (this.stopped) return Infinity;
    return 'continue';
  }

  private fail(error: string): void {
    const state = this.ctx.store.load();
    const now = this.ctx.clock.now();
    const nextAttemptAt = now + backoffDelayMs(Math.max(1, state.attempt), UPDATE_BACKOFF, this.ctx.random);
    this.setPhase(state.work, 'failed', { error, nextAttemptAt, verified: false });
  }

  private setPhase(work: Target | null, phase: UpdatePhase, extra: Partial<LocalState>): void {
    const now = this.ctx.clock.now();
    const state = this.ctx.store.save({ ...extra, phase, since: now });
    const release = work?.name ?? '';
    this.ctx.emit({ type: 'phase', at: now, release, phase, attempt: state.attempt, error: state.error });
    const log = phase === 'failed' ? this.ctx.logger.warn : this.ctx.logger.info;
    log.call(this.ctx.logger, { release, phase, attempt: state.attempt, error: state.error }, `update ${phase}`);
    this.ctx.phaseChanged();
  }

  private work(): Target {
    const work = this.ctx.store.load().work;
    if (!work) throw new Error('no release is being worked on');
    return work;
  }
}
