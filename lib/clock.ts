/** A handle returned by `Clock.setTimeout`, for `clearTimeout`. */
export type TimerHandle = unknown;

/**
 * The one source of time for the controller and the agent: the current instant in milliseconds since
 * the epoch, and timers on the same clock. Everything that waits or stamps a time takes one injected,
 * so tests move a manual clock forward instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds of this clock; returns a handle for `clearTimeout`. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** Node fires a delay beyond 2^31−1 ms at once; an idle process waiting "forever" must not spin. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function realTimer(fn: () => void, ms: number, keepsProcessAlive: boolean): TimerHandle {
  const handle = setTimeout(fn, Math.min(Math.max(0, ms), MAX_TIMER_MS));
  if (!keepsProcessAlive) handle.unref();
  return handle;
}

/**
 * The process's real clock and timers; a pending timer keeps the process alive. For a process whose
 * only work is what its timers start (the agent, the simulator).
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => realTimer(fn, ms, true),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * The real clock with unref'd timers: a pending retry or poll never keeps the process alive on its own.
 * For a server (the controller), which its listening socket keeps alive and which must exit once closed.
 */
export const backgroundClock: Clock = {
  ...systemClock,
  setTimeout: (fn, ms) => realTimer(fn, ms, false),
};

/**
 * Real timers (unref'd) on a clock that reads `now`: for a caller that sets the time from outside
 * (a test or a benchmark stamping at a chosen instant) but still needs waits to pass.
 */
export function clockReading(now: () => number): Clock {
  return { ...backgroundClock, now };
}

/**
 * Resolves after `ms` of `clock`, or early (without error) when `signal` aborts; the timer is cleared
 * either way, so an abandoned wait leaves nothing behind.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clock.clearTimeout(handle);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const handle = clock.setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** An instant as the State document and the APIs write it: RFC 3339 in UTC. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
