import type { DesiredState, Release } from '../desired/types.js';
import type { ApplianceObservation, RolloutObservation, StateDocument } from '../observed/state-schema.js';
import type { MemberEval } from './appliance-status.js';
import type { ReconcileCache } from './cache.js';
import { buildDesiredIndex, type DesiredIndex } from './desired-index.js';
import { toIso, toMs } from './time.js';
import { normalizeVersion } from './versions.js';

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

/**
 * Which rollout targets each declared appliance, by position: `by[i]` is the rollout's position in
 * planning order (newest first) or -1, `member[i]` the appliance's status there. Rollouts are
 * planned newest first, so a position already taken by another rollout means a newer one claimed it.
 */
export interface Claims {
  by: Int32Array;
  member: (MemberEval | undefined)[];
}

/** The inputs of one pass, sorted and indexed so that no step depends on input order. */
export interface ReconcileContext {
  nowMs: number;
  nowIso: string;
  desired: DesiredState;
  revision: string;
  offlineAfterMs: number;
  index: DesiredIndex;
  /** Each declared appliance's last report, by position. */
  seenAt: (Seen | undefined)[];
  /** Appliances that report but are not declared, sorted by id. */
  undeclared: Seen[];
  observedRollouts: Map<string, RolloutObservation>;
  claims: Claims;
  /** One number per declared appliance for a step's own bookkeeping; NaN between uses. */
  scratch: Float64Array;
}

/** Builds the context of a pass: indexes both states (the desired one through the cache) and parses every observed time once. */
export function buildContext(desired: DesiredState, observed: StateDocument, now: Date, cache: ReconcileCache | null = null): ReconcileContext {
  const nowMs = now.getTime();
  const offlineAfterMs = desired.fleet.offlineAfterMs;
  const index = cache ? cache.desiredIndex(desired) : buildDesiredIndex(desired);
  const seenAt: (Seen | undefined)[] = new Array<Seen | undefined>(index.ids.length).fill(undefined);
  const undeclaredById = new Map<string, Seen>();
  // Indexed loops in this file and the rollout steps: they run once per appliance per pass.
  for (let k = 0; k < observed.appliances.length; k++) {
    const obs = observed.appliances[k] as ApplianceObservation;
    const entry = parseSeen(obs, nowMs, offlineAfterMs);
    const i = index.indexOf.get(obs.id);
    const previous = i === undefined ? undeclaredById.get(obs.id) : seenAt[i];
    if (previous && !preferObservation(entry, previous)) continue;
    if (i === undefined) undeclaredById.set(obs.id, entry);
    else seenAt[i] = entry;
  }
  const observedRollouts = new Map<string, RolloutObservation>();
  for (const r of [...observed.rollouts].sort((a, b) => compareText(a.name, b.name) || compareText(JSON.stringify(a), JSON.stringify(b)))) {
    if (!observedRollouts.has(r.name)) observedRollouts.set(r.name, r);
  }
  return {
    nowMs,
    nowIso: toIso(nowMs),
    desired,
    revision: desired.revision,
    offlineAfterMs,
    index,
    seenAt,
    undeclared: [...undeclaredById.values()].sort((a, b) => compareText(a.id, b.id)),
    observedRollouts,
    claims: { by: new Int32Array(index.ids.length).fill(-1), member: new Array<MemberEval | undefined>(index.ids.length).fill(undefined) },
    scratch: new Float64Array(index.ids.length).fill(NaN),
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
