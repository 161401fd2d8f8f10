import { backoffDelayMs, type BackoffPolicy } from '../../lib/backoff.js';

/**
 * Check-ins: start around a few seconds, never more than five minutes apart; full jitter, so a fleet
 * that lost the controller together does not come back in one wave.
 */
export const CHECKIN_BACKOFF = { baseMs: 2_000, maxMs: 300_000, floorMs: 1_000, jitter: 'full' } as const satisfies BackoffPolicy;
/** A Retry-After longer than this is treated as this: a wrong header must not silence an agent for days. */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/**
 * The delay before the next check-in after failure number `failures`: what the server asked for in
 * Retry-After when it said (bounded by MAX_RETRY_AFTER_MS, never below the floor), the jittered
 * backoff otherwise. `random` returns [0, 1).
 */
export function checkinRetryDelayMs(failures: number, retryAfterMs: number | null, random: () => number = Math.random): number {
  if (retryAfterMs !== null) return Math.max(CHECKIN_BACKOFF.floorMs, Math.min(retryAfterMs, MAX_RETRY_AFTER_MS));
  return backoffDelayMs(failures, CHECKIN_BACKOFF, random);
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
