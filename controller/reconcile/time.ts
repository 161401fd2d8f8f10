/**
 * Times inside reconcile are epoch milliseconds; the plan and the State document carry ISO strings.
 * These two conversions are the only place that crosses between them.
 */

/** Epoch ms of an ISO time; null for null, undefined or an unparseable string. */
export function toMs(iso: string | null | undefined): number | null {
  if (iso == null) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/** The ISO string (UTC, milliseconds) of an epoch ms. */
export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}
