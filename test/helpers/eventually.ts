import type { ManualClock } from './manual-clock.js';

export interface EventuallyOptions {
  /** Named in the failure; a function is called then, to describe the state at the timeout. */
  what?: string | (() => string);
  /** Real-time bound on the wait (default 15 s): the test fails after it, and never waits this long when things work. */
  timeoutMs?: number;
  /** Real time between polls (default 25 ms; 3 ms when stepping a clock, so simulated time flows fast). */
  everyMs?: number;
  /** Moves this clock to its next timer between polls, whenever `quiet()` says nothing is in flight (default: always). */
  clock?: ManualClock;
  quiet?: () => boolean;
  /**
   * A probe that throws counts as "not yet" instead of failing the wait (for a server still coming
   * back); the last error is named if the wait times out. By default a throw fails the wait at once.
   */
  retryErrors?: boolean;
}

/**
 * The tests' one polling helper, for what a test cannot await directly (another process, a watcher,
 * a background loop): polls `probe` until it returns a truthy value and resolves with it, letting
 * real I/O run between polls and, when given a clock, stepping it to its next timer while the system
 * is quiet. Fails after `timeoutMs`, naming `what`.
 */
export async function eventually<T>(probe: () => T | Promise<T>, options: EventuallyOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  const everyMs = options.everyMs ?? (options.clock ? 3 : 25);
  let lastError: unknown;
  for (;;) {
    const value = await poll(probe, options.retryErrors === true, (err) => (lastError = err));
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) {
      const what = typeof options.what === 'function' ? options.what() : options.what;
      const cause = lastError === undefined ? '' : ` (last error: ${String(lastError)})`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what ?? 'a condition'}${cause}`);
    }
    if (options.clock && (options.quiet?.() ?? true)) options.clock.runNext();
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** One call of the probe; a throw is handed to `onError` and read as "not yet" when `retryErrors`. */
async function poll<T>(probe: () => T | Promise<T>, retryErrors: boolean, onError: (err: unknown) => void): Promise<T | undefined> {
  if (!retryErrors) return probe();
  try {
    return await probe();
  } catch (err) {
    onError(err);
    return undefined;
  }
}
