import type { Appliance, DesiredState, Release, RetentionPolicy, Rollout } from '../desired/types.js';
import type { ApplianceObservation, RolloutObservation, StateDocument } from '../observed/state-schema.js';
import { toIso, toMs } from './time.js';
import { compareVersions, normalizeVersion } from './versions.js';

/** One appliance's last report with its times parsed once per pass. */
export interface Seen {
  id: string;
  obs: ApplianceObservation;
  lastCheckinMs: number;
  deferUntilMs: number | null;
  updateSinceMs: number | null;
  /** The agent version, normalized (`1.0.49`); null when absent or not semver. */
  version: string | null;
  /** When it became offline (last check-in + offlineAfter), or null while online. */
  offlineSinceMs: number | null;
}

/** A release as reconcile compares it. */
export interface ReleaseRef {
  name: string;
  /** Normalized semver, or the text as written when it is not semver. */
  version: string;
}

/** The inputs of one pass, sorted and indexed so that no step depends on input order. */
export interface ReconcileContext {
  nowMs: number;
  nowIso: string;
  desired: DesiredState;
  revision: string;
  offlineAfterMs: number;
  /** Declared appliances by id, and their ids sorted. */
  declared: Map<string, Appliance>;
  declaredIds: string[];
  seen: Map<string, Seen>;
  /** Every observed id (declared or not), sorted. */
  seenIds: string[];
  releases: Map<string, Release>;
  /** Release names by normalized version, for UnexpectedVersion. */
  releaseByVersion: Map<string, Release>;
  /** Rollouts sorted newest first: release semver descending, then name descending. */
  rolloutsNewestFirst: Rollout[];
  observedRollouts: Map<string, RolloutObservation>;
  retentionPolicies: RetentionPolicy[];
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Builds the context of a pass: sorts and indexes both states and parses every observed time once. */
export function buildContext(desired: DesiredState, observed: StateDocument, now: Date): ReconcileContext {
  const nowMs = now.getTime();
  const offlineAfterMs = desired.fleet.offlineAfterMs;
  const declared = new Map(desired.appliances.map((a) => [a.name, a]));
  const declaredIds = [...declared.keys()].sort();
  const seen = new Map<string, Seen>();
  for (const obs of observed.appliances) {
    const entry = parseSeen(obs, nowMs, offlineAfterMs);
    const previous = seen.get(obs.id);
    if (!previous || preferObservation(entry, previous)) seen.set(obs.id, entry);
  }
  const releases = new Map([...desired.releases].sort(byName).map((r) => [r.name, r]));
  const releaseByVersion = new Map<string, Release>();
  for (const release of releases.values()) {
    const version = normalizeVersion(release.version) ?? release.version;
    if (!releaseByVersion.has(version)) releaseByVersion.set(version, release);
  }
  const observedRollouts = new Map<string, RolloutObservation>();
  for (const r of [...observed.rollouts].sort((a, b) => byName(a, b) || compareText(JSON.stringify(a), JSON.stringify(b)))) {
    if (!observedRollouts.has(r.name)) observedRollouts.set(r.name, r);
  }
  const versionOf = (r: Rollout) => releases.get(r.release)?.version ?? '0.0.0';
  const rolloutsNewestFirst = [...desired.rollouts].sort((a, b) => compareVersions(versionOf(b), versionOf(a)) || byName(b, a));
  return {
    nowMs,
    nowIso: toIso(nowMs),
    desired,
    revision: desired.revision,
    offlineAfterMs,
    declared,
    declaredIds,
    seen,
    seenIds: [...seen.keys()].sort(),
    releases,
    releaseByVersion,
    rolloutsNewestFirst,
    observedRollouts,
    retentionPolicies: [...desired.retentionPolicies].sort(byName),
  };
}

/** The release a rollout delivers, as reconcile compares it. */
export function releaseRef(release: Release): ReleaseRef {
  return { name: release.name, version: normalizeVersion(release.version) ?? release.version };
}

function parseSeen(obs: ApplianceObservation, nowMs: number, offlineAfterMs: number): Seen {
  const lastCheckinMs = toMs(obs.lastCheckinAt) ?? 0;
  const offlineAt = lastCheckinMs + offlineAfterMs;
  return {
    id: obs.id,
    obs,
    lastCheckinMs,
    deferUntilMs: toMs(obs.deferUntil),
    updateSinceMs: toMs(obs.update?.since),
    version: normalizeVersion(obs.agentVersion),
    offlineSinceMs: nowMs > offlineAt ? offlineAt : null,
  };
}

// A document listing one appliance twice keeps its latest report; equal times fall back to the
// text, so the choice never depends on the order of the list.
function preferObservation(candidate: Seen, current: Seen): boolean {
  if (candidate.lastCheckinMs !== current.lastCheckinMs) return candidate.lastCheckinMs > current.lastCheckinMs;
  return JSON.stringify(candidate.obs) > JSON.stringify(current.obs);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
