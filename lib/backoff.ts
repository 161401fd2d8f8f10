/**
 * How the delay before a retry is drawn under its ceiling:
 * - `none`: exactly the ceiling (a source refetching, the reconcile loop after a failed pass);
 * - `upper-half`: uniform in [ceiling/2, ceiling), so retries that failed together spread out
 *   without any coming back much sooner than planned (notification deliveries);
 * - `full`: uniform in [0, ceiling), never below the floor, for many clients retrying one server
 *   (agent check-ins and update attempts).
 */
export type Jitter = 'none' | 'upper-half' | 'full';

/** How retries spread out: the first delay's ceiling, the largest ceiling, the smallest delay, the jitter. */
export interface BackoffPolicy {
  /** Ceiling of the delay after the first failure; it doubles with each further failure. */
  baseMs: number;
  /** The ceiling never grows beyond this, so a lasting failure is retried less often but never forgotten. */
  maxMs: number;
  /** No retry comes sooner than this, whatever the jitter draws, so a retry loop can never spin (default 0). */
  floorMs?: number;
  /** Default `none`. */
  jitter?: Jitter;
}

/** Past this many doublings every realistic ceiling is long capped; bounding it keeps 2^n finite. */
const MAX_DOUBLINGS = 40;

/**
 * The wait before retry number `failures` (1 after the first failure), 0 when nothing has failed: a
 * ceiling of `baseMs × 2^(failures−1)` capped at `maxMs` (and at least `floorMs`), drawn under as the
 * policy's jitter says with `random` (values in [0, 1)), never below `floorMs`.
 */
export function backoffDelayMs(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  if (failures <= 0) return 0;
  const floor = policy.floorMs ?? 0;
  const exponent = Math.min(failures - 1, MAX_DOUBLINGS);
  const ceiling = Math.max(floor, Math.min(policy.maxMs, policy.baseMs * 2 ** exponent));
  return Math.max(floor, draw(ceiling, policy.jitter ?? 'none', random));
}

function draw(ceiling: number, jitter: Jitter, random: () => number): number {
  switch (jitter) {
    case 'none':
      return ceiling;
    case 'upper-half':
      return Math.floor(ceiling / 2 + (ceiling / 2) * random());
    case 'full':
      return Math.floor(random() * ceiling);
  }
}
