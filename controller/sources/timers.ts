/** A handle returned by `Timers.setTimeout`, for `clearTimeout`. */
export type TimerHandle = unknown;

/**
 * The clock and timers a source runs on. Injected so tests move time forward by hand instead of
 * sleeping; production uses `systemTimers`.
 */
export interface Timers {
  now(): Date;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock and Node's timers; timers are unref'd so a pending fetch never keeps a process alive. */
export const systemTimers: Timers = {
  now: () => new Date(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
