/** How long to wait between retries of a failing fetch. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 5_000, maxMs: 5 * 60_000 };

/**
 * The wait before retry number `failures` (1 after the first failure): doubling from `initialMs`,
 * capped at `maxMs`, so an unreachable remote is asked less and less often but never forgotten.
 */
export function retryDelayMs(failures: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  if (failures <= 0) return 0;
  const exponent = Math.min(failures - 1, 30);
  return Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
}

/**
 * retryDelayMs with jitter: a delay drawn uniformly from its upper half, [d/2, d), so many retries
 * that failed together (a receiver back after an outage) do not all come back at the same instant.
 */
export function jitteredDelayMs(failures: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const delay = retryDelayMs(failures, policy);
  return Math.floor(delay / 2 + (delay / 2) * random());
}
