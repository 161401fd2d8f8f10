/** How retries spread out: the first delay's ceiling, the largest ceiling, and the smallest delay ever. */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** No retry comes sooner than this, whatever the jitter draws: the loop can never spin. */
  floorMs: number;
}

/** Check-ins: start around a few seconds, never more than five minutes apart. */
export const CHECKIN_BACKOFF: BackoffPolicy = { baseMs: 2_000, maxMs: 300_000, floorMs: 1_000 };
/** Update attempts: a failed download or install is retried within half a minute, then up to an hour. */
export const UPDATE_BACKOFF: BackoffPolicy = { baseMs: 30_000, maxMs: 3_600_000, floorMs: 5_000 };
/** A Retry-After longer than this is treated as this: a wrong header must not silence an agent for days. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * The delay before retry number `failures` (1 for the first retry): full jitter, a uniform draw
 * between the floor and `min(maxMs, baseMs × 2^(failures−1))`. `random` returns [0, 1).
 */
export function backoffDelayMs(failures: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.min(failures - 1, 40));
  const ceiling = Math.max(policy.floorMs, Math.min(policy.maxMs, policy.baseMs * 2 ** exponent));
  const draw = Math.floor(random() * ceiling);
  return Math.max(policy.floorMs, draw);
}

/**
 * The delay before the next try after a failure: what the server asked for in Retry-After when it
 * said (bounded by MAX_RETRY_AFTER_MS, never below the floor), the jittered backoff otherwise.
 */
export function retryDelayMs(
  failures: number,
  retryAfterMs: number | null,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== null) return Math.max(policy.floorMs, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
  return backoffDelayMs(failures, policy, random);
}

/**
 * Milliseconds a `Retry-After` header asks to wait, given as seconds or as an HTTP date relative to
 * `now`; null when the header is absent or unreadable.
 */
export function parseRetryAfter(header: string | null, now: number): number | null {
  if (header === null) return null;
  const text = header.trim();
  if (/^[0-9]+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
