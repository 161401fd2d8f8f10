import type { DesiredState, Release } from '../desired/types.js';
import type { ApplianceObservation, RolloutObservation, StateDocument } from '../observed/state-schema.js';
import { newMemberTable, type MemberTable } from './appliance-status.js';
import type { ReconcileCache } from './cache.js';
import { buildDesiredIndex, type DesiredIndex } from './desired-index.js';
import { toIso, toMs } from './time.js';
import { normalizeVersion } from './versions.js';

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

/** One appliance's last report as a whole: for wording, and for appliances that are not declared. */
export interface Seen {
  id: string;
  obs: ApplianceObservation;
  lastCheckinMs: number;
  deferUntilMs: number | null;
  updateSinceMs: number | null;
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
  index: DesiredIndex;
  seen: SeenTable;
  /** Appliances that report but are not declared, sorted by id. */
  undeclared: Seen[];
  observedRollouts: Map<string, RolloutObservation>;
  /** Which rollout targets each declared appliance, and its status there. */
  members: MemberTable;
  /** One number per declared appliance for a step's own bookkeeping; NaN between uses. */
  scratch: Float64Array;
}

/** Builds the context of a pass: indexes both states (the desired one through the cache) and parses every observed time once. */
export function buildContext(desired: DesiredState, observed: StateDocument, now: Date, cache: ReconcileCache | null = null): ReconcileContext {
  const nowMs = now.getTime();
  const index = cache ? cache.desiredIndex(desired) : buildDesiredIndex(desired);
  const n = index.ids.length;
  const seen: SeenTable = {
    obs: new Array<ApplianceObservation | undefined>(n).fill(undefined),
    lastCheckinMs: new Float64Array(n).fill(NaN),
    deferUntilMs: new Float64Array(n).fill(NaN),
    updateSinceMs: new Float64Array(n).fill(NaN),
    version: new Array<string | null>(n).fill(null),
  };
  const undeclaredById = new Map<string, Seen>();
  // Indexed loops here and in the rollout steps: they run once per appliance per pass.
  for (let k = 0; k < observed.appliances.length; k++) {
    const obs = observed.appliances[k] as ApplianceObservation;
    const i = index.indexOf.get(obs.id);
    const last = toMs(obs.lastCheckinAt) ?? 0;
    if (i === undefined) {
      const previous = undeclaredById.get(obs.id);
      if (!previous || prefer(obs, last, previous.obs, previous.lastCheckinMs)) undeclaredById.set(obs.id, view(obs, last, nowMs, desired.fleet.offlineAfterMs));
      continue;
    }
    const previous = seen.obs[i];
    if (previous && !prefer(obs, last, previous, seen.lastCheckinMs[i] as number)) continue;
    seen.obs[i] = obs;
    seen.lastCheckinMs[i] = last;
    seen.deferUntilMs[i] = toMs(obs.deferUntil) ?? NaN;
    seen.updateSinceMs[i] = toMs(obs.update?.since) ?? NaN;
    seen.version[i] = normalizeVersion(obs.agentVersion);
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
    offlineAfterMs: desired.fleet.offlineAfterMs,
    index,
    seen,
    undeclared: [...undeclaredById.values()].sort((a, b) => compareText(a.id, b.id)),
    observedRollouts,
    members: newMemberTable(n),
    scratch: new Float64Array(n).fill(NaN),
  };
}

/** When a declared appliance became offline (last check-in + offlineAfter), or null while online or never seen. */
export function offlineSince(ctx: ReconcileContext, i: number): number | null {
  const last = ctx.seen.lastCheckinMs[i] as number;
  if (Number.isNaN(last)) return null;
  const at = last + ctx.offlineAfterMs;
  return ctx.nowMs > at ? at : null;
}

/** Whether a declared appliance asks not to be updated before a time still to come. */
export function isDeferring(ctx: ReconcileContext, i: number): boolean {
  const until = ctx.seen.deferUntilMs[i] as number;
  return until > ctx.nowMs;
}

/** A declared appliance's last report as one object (for wording), or undefined when never seen. */
export function seenAt(ctx: ReconcileContext, i: number): Seen | undefined {
  const obs = ctx.seen.obs[i];
  return obs ? view(obs, ctx.seen.lastCheckinMs[i] as number, ctx.nowMs, ctx.offlineAfterMs) : undefined;
}

/** The release a rollout delivers, as reconcile compares it. */
export function releaseRef(release: Release): ReleaseRef {
  return { name: release.name, version: normalizeVersion(release.version) ?? release.version };
}

function view(obs: ApplianceObservation, lastCheckinMs: number, nowMs: number, offlineAfterMs: number): Seen {
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
function prefer(candidate: ApplianceObservation, candidateMs: number, current: ApplianceObservation, currentMs: number): boolean {
  if (candidateMs !== currentMs) return candidateMs > currentMs;
  return JSON.stringify(candidate) > JSON.stringify(current);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
