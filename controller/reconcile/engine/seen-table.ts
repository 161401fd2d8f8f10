import type { ApplianceObservation } from '../../observed/state-schema.js';
import type { DesiredIndex } from '../desired-index.js';
import { toMs } from '../time.js';
import { normalizeVersion } from '../versions.js';
import { PositionFinder } from './positions.js';

/**
 * What each declared appliance last reported, by position, with its times parsed once per pass.
 * Kept as columns rather than one object per appliance: a pass over 100,000 appliances then holds a
 * few arrays instead of 100,000 objects and their boxed numbers. NaN stands for "none".
 */
export interface SeenTable {
  obs: (ApplianceObservation | undefined)[];
  lastCheckinMs: Float64Array;
  deferUntilMs: Float64Array;
  updateSinceMs: Float64Array;
  /** The agent version, normalized (`1.0.49`); null when absent or not semver. */
  version: (string | null)[];
}

/** An appliance that reports but is not declared: its last report and check-in time. */
export interface Undeclared {
  id: string;
  obs: ApplianceObservation;
  lastCheckinMs: number;
}

/**
 * Fills `seen` (emptied) from the observed appliances, one row per declared appliance, positions
 * found with `hints` (see PositionFinder); returns the undeclared ones, sorted by id. An appliance
 * listed twice keeps its latest report.
 */
export function readObservations(seen: SeenTable, index: DesiredIndex, observed: readonly ApplianceObservation[], hints: Int32Array | null): Undeclared[] {
  const undeclaredById = new Map<string, Undeclared>();
  const finder = new PositionFinder(index, hints);
  // An indexed loop: it runs once per appliance per pass.
  for (let k = 0; k < observed.length; k++) {
    const obs = observed[k] as ApplianceObservation;
    const i = finder.find(k, obs.id);
    const last = toMs(obs.lastCheckinAt) ?? 0;
    if (i < 0) {
      const previous = undeclaredById.get(obs.id);
      if (!previous || prefer(obs, last, previous.obs, previous.lastCheckinMs)) undeclaredById.set(obs.id, { id: obs.id, obs, lastCheckinMs: last });
      continue;
    }
    const previous = seen.obs[i];
    if (previous && !prefer(obs, last, previous, seen.lastCheckinMs[i] as number)) continue;
    seen.obs[i] = obs;
    seen.lastCheckinMs[i] = last;
    seen.deferUntilMs[i] = obs.deferUntil == null ? NaN : (toMs(obs.deferUntil) ?? NaN);
    const since = obs.update?.since;
    seen.updateSinceMs[i] = since == null ? NaN : (toMs(since) ?? NaN);
    seen.version[i] = normalizeVersion(obs.agentVersion);
  }
  return [...undeclaredById.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Whether appliance `i` reports running `version` (normalized when semver): the rule the agent
 * applies too (protocol/versions.ts sameVersion) — semver compared normalized, other text exactly.
 */
export function runsRelease(seen: SeenTable, i: number, version: string): boolean {
  const running = seen.version[i];
  if (running != null) return running === version;
  return version !== '' && seen.obs[i]?.agentVersion?.trim() === version.trim();
}

// A document listing one appliance twice keeps its latest report; equal times fall back to the
// text, so the choice never depends on the order of the list.
function prefer(candidate: ApplianceObservation, candidateMs: number, current: ApplianceObservation, currentMs: number): boolean {
  if (candidateMs !== currentMs) return candidateMs > currentMs;
  return JSON.stringify(candidate) > JSON.stringify(current);
}
