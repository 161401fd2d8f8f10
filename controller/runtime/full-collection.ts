import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * A full garbage collection of the calling thread's heap, which also gives back the pages it empties.
 * The reconcile worker runs one after each pass: a pass at 100,000 appliances leaves about 70 MB of
 * garbage and its heap committed about 260 MB, and V8 neither collected it nor gave the pages back
 * in the seconds before the next pass; collected at once, the worker's heap stays near the 130 MB a
 * pass keeps alive (measured 2026-12-05, docs/BENCHMARKS.md). It costs the worker about 0.2 s of
 * CPU per pass there, on its own low-priority thread.
 *
 * V8 offers the collection only as `gc()` under --expose-gc. The flag is set just long enough for a
 * fresh context to receive that function, then unset, so no other code of the process sees a `gc`.
 * Null when the flag cannot be set (a runtime without it): then V8 collects on its own schedule.
 */
export function fullCollection(): (() => void) | null {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc: unknown = vm.runInNewContext('gc');
    return typeof gc === 'function' ? () => void gc() : null;
  } catch {
    return null;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}
