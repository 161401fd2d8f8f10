import type { ManualClock } from './manual-clock.js';

export interface EventuallyOptions {
  /** Moves this clock to its next timer whenever `quiet()` says nothing is in flight (default: always). */
  clock?: ManualClock;
  quiet?: () => boolean;
  /** Real-time bound on the wait: the test fails after it, it never waits this long when things work. */
  timeoutMs?: number;
  /** Named in the failure; a function is called then, to describe the state at the timeout. */
  what?: string | (() => string);
}

/**
 * Polls `probe` until it returns a value other than undefined/null/false, letting real I/O run
 * between polls and, when given a clock, stepping it to its next timer while the system is quiet.
 */
export async function eventually<T>(probe: () => T | undefined | null | false, options: EventuallyOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) {
      const what = typeof options.what === 'function' ? options.what() : options.what;
      throw new Error(`timed out waiting for ${what ?? 'a condition'}`);
    }
    if (options.clock && (options.quiet?.() ?? true)) options.clock.runNext();
    await new Promise((resolve) => setTimeout(resolve, 3));
  }
}
