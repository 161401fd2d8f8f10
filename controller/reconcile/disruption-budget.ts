/**
 * Whether a group with `inFlight` appliances in flight goes over `maxUnavailable` when `adding` more
 * enter flight (an appliance already in flight, claimed from an older rollout, adds none).
 */
export function exceedsBudget(inFlight: number, adding: number, maxUnavailable: number): boolean {
  return inFlight + adding > maxUnavailable;
}

/** The group name of a label set under `groupBy`: `site=riverside,client=acme` (a missing label is empty). */
export function groupName(groupBy: readonly string[], labels: Readonly<Record<string, string>>): string {
  return groupBy.map((k) => `${k}=${labels[k] ?? ''}`).join(',');
}
