import { backoffDelayMs, type BackoffPolicy } from '../../lib/backoff.js';
import type { Clock, TimerHandle } from '../../lib/clock.js';
import type { PassOutcome } from './reconcile-pass.js';

export interface LoopOptions {
  /** One reconcile pass at the given time. */
  pass: (now: Date) => Promise<PassOutcome>;
  clock: Clock;
  /** Time between passes when nothing asks for one sooner. */
  intervalMs: number;
  /** Quiet time after a check-in before the pass it asks for (check-ins come in floods). */
  checkinDebounceMs: number;
  /**
   * Least time from the end of one pass to a pass a check-in asks for (default CHECKIN_MIN_GAP_MS), and
   * at least CHECKIN_GAP_PER_PASS times the last pass's duration: under a steady flood of check-ins the
   * process spends at most about a fifth of its time reconciling, however large the fleet.
   */
  checkinMinGapMs?: number;
  /** Retries after failed or unavailable passes (default PASS_BACKOFF). */
  backoff?: BackoffPolicy;
  /** Sees every outcome (status, metrics, logs). */
  onOutcome?: (outcome: PassOutcome, durationMs: number) => void;
}

/** Retries of a failed pass: 5 s after the first failure, doubling to at most 5 min. */
export const PASS_BACKOFF: BackoffPolicy = { baseMs: 5_000, maxMs: 5 * 60_000 };

/** Default least time between a pass and the next one a check-in asks for. */
export const CHECKIN_MIN_GAP_MS = 5_000;
/** A check-in-triggered pass waits at least this many times as long as the last pass took. */
export const CHECKIN_GAP_PER_PASS = 4;

/**
 * Level-triggered scheduling of reconcile passes: a trigger only says "reconcile soon"; each pass re-reads
 * everything. At most one pass runs at a time; triggers during a pass give one more pass after it.
 */
export class ReconcileLoop {
  private timer: TimerHandle | null = null;
  private dueAt: number | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  /** The earliest delayed request made while a pass ran. */
  private scheduleAfterRun: number | null = null;
  private failures = 0;
  private stopped = true;
  private lastEndedAt: number | null = null;
  private lastDurationMs = 0;

  constructor(private readonly options: LoopOptions) {}

  start(): void {
    this.stopped = false;
    this.request(0);
  }

  /** Stops scheduling; resolves once a pass in flight has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancel();
    await this.running;
  }

  /** Asks for a pass within `delayMs`; an earlier request already scheduled wins. */
  request(delayMs = 0): void {
    if (this.stopped) return;
    if (this.running) {
      if (delayMs === 0) this.again = true;
      else if (!this.again) this.scheduleAfterRun = Math.min(this.scheduleAfterRun ?? delayMs, delayMs);
      return;
    }
    const at = this.options.clock.now() + delayMs;
    if (this.dueAt !== null && this.dueAt <= at) return;
    this.cancel();
    this.dueAt = at;
    this.timer = this.options.clock.setTimeout(() => void this.runOnce(), delayMs);
  }

  /**
   * A check-in arrived: reconcile after `checkinDebounceMs`, but no sooner than the check-in gap after
   * the last pass (during a pass, the gap counts from its end).
   */
  checkinArrived(): void {
    const gap = Math.max(this.options.checkinMinGapMs ?? CHECKIN_MIN_GAP_MS, CHECKIN_GAP_PER_PASS * this.lastDurationMs);
    let wait = 0;
    if (this.running) wait = gap;
    else if (this.lastEndedAt !== null) wait = gap - (this.options.clock.now() - this.lastEndedAt);
    this.request(Math.max(this.options.checkinDebounceMs, wait));
  }

  /** Runs a pass now, after any pass in flight (never two at once); resolves with its outcome. */
  runNow(): Promise<PassOutcome> {
    return this.exclusive();
  }

  private async exclusive(): Promise<PassOutcome> {
    while (this.running) await this.running;
    const pass = this.timedPass();
    this.running = pass.then(
      () => undefined,
      () => undefined,
    );
    try {
      return await pass;
    } finally {
      this.running = null;
    }
  }

  private async timedPass(): Promise<PassOutcome> {
    const now = new Date(this.options.clock.now());
    const started = process.hrtime.bigint();
    const outcome = await this.options.pass(now);
    this.options.onOutcome?.(outcome, Number(process.hrtime.bigint() - started) / 1e6);
    // On the loop's clock, so the gap follows injected time; what the outcome's consumers did
    // (rebuilding the check-in answers) counts too.
    this.lastEndedAt = this.options.clock.now();
    this.lastDurationMs = Math.max(0, this.lastEndedAt - now.getTime());
    return outcome;
  }

  private async runOnce(): Promise<void> {
    this.timer = null;
    this.dueAt = null;
    let next = this.requeueAfter(await this.exclusive());
    if (this.stopped) return;
    if (this.again) next = 0;
    else if (this.scheduleAfterRun !== null) next = Math.min(next, this.scheduleAfterRun);
    this.again = false;
    this.scheduleAfterRun = null;
    this.request(next);
  }

  /** The requeue policy, in one place. */
  private requeueAfter(outcome: PassOutcome): number {
    switch (outcome.kind) {
      case 'planned':
      case 'idle':
        this.failures = 0;
        return this.options.intervalMs;
      case 'conflict':
        // Another writer moved the state on: plan again against the new state at once.
        this.failures = 0;
        return 0;
      case 'unavailable':
      case 'failed':
        this.failures += 1;
        return backoffDelayMs(this.failures, this.options.backoff ?? PASS_BACKOFF);
    }
  }

  private cancel(): void {
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    this.dueAt = null;
  }
}
