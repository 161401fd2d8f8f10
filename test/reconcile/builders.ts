import { canonicalJson, retentionPolicyHash, sha256Hex } from '../../controller/desired/canonical.js';
import { parseDuration } from '../../controller/desired/quantities.js';
import type { RolloutSpec, Weekday } from '../../controller/desired/schema/rollout.js';
import type {
  Appliance,
  DesiredState,
  LabelSelectorSpec,
  OtsPolicy,
  Release,
  RetentionPolicy,
  Rollout,
} from '../../controller/desired/types.js';
import type {
  ApplianceObservation,
  Assignment,
  RolloutObservation,
  StateDocument,
  UpdateReport,
} from '../../controller/observed/state-schema.js';

/** Builders for desired and observed state, so that a test states only what its rule is about. */

const ms = (d: string) => {
  const v = parseDuration(d);
  if (v === null) throw new Error(`bad duration ${d}`);
  return v;
};

export function appliance(name: string, labels: Record<string, string> = {}): Appliance {
  return { name, labels };
}

/** Appliances `prefix-00` … with the given labels. */
export function appliances(prefix: string, count: number, labels: Record<string, string> = {}): Appliance[] {
  return Array.from({ length: count }, (_, i) => appliance(`${prefix}-${String(i).padStart(2, '0')}`, labels));
}

/** A Release named `v1.0.49` runs version `1.0.49` unless told otherwise. */
export function release(name: string, version = name.replace(/^v/, '')): Release {
  return {
    name,
    version,
    image: { version: version.split('.').pop() ?? version, url: `https://updates.example.com/${name}.iso`, sha256: sha256Hex(name) },
  };
}

export interface RolloutOptions {
  release?: string;
  selector?: LabelSelectorSpec;
  stages?: { percent: number; soak?: string }[];
  progressDeadline?: string;
  maxConcurrent?: number;
  maxFailures?: number;
  action?: 'pause' | 'abort';
  window?: { days: Weekday[]; start: string; end: string; timeZone: string };
  paused?: boolean;
  rollback?: boolean;
}

/** A Rollout of the release of the same name, one stage at 100% unless told otherwise. */
export function rollout(name: string, o: RolloutOptions = {}): Rollout {
  const raw: RolloutSpec = {
    release: o.release ?? name,
    ...(o.selector ? { selector: o.selector } : {}),
    stages: o.stages ?? [{ percent: 100 }],
    progressDeadline: o.progressDeadline ?? '2h',
    ...(o.maxConcurrent !== undefined ? { maxConcurrent: o.maxConcurrent } : {}),
    failurePolicy: { maxFailures: o.maxFailures ?? 0, action: o.action ?? 'pause' },
    ...(o.window ? { window: o.window } : {}),
    paused: o.paused ?? false,
    ...(o.rollback ? { rollback: true } : {}),
  };
  const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
  return {
    name,
    release: raw.release,
    selector: o.selector ?? null,
    stages: raw.stages.map((s) => ({ percent: s.percent, soakMs: s.soak ? ms(s.soak) : 0 })),
    progressDeadlineMs: ms(raw.progressDeadline ?? '2h'),
    maxConcurrent: o.maxConcurrent ?? null,
    failurePolicy: { maxFailures: o.maxFailures ?? 0, action: o.action ?? 'pause' },
    window: o.window ? { days: o.window.days, startMinute: minutes(o.window.start), endMinute: minutes(o.window.end), timeZone: o.window.timeZone } : null,
    paused: o.paused ?? false,
    rollback: o.rollback ?? false,
    specHash: sha256Hex(canonicalJson(raw)),
    raw,
  };
}

export function retentionPolicy(
  name: string,
  o: { selector?: LabelSelectorSpec; retainDays?: number; pruneEvery?: string; maxDatabaseBytes?: number } = {},
): RetentionPolicy {
  const incidents = { retainDays: o.retainDays ?? 30, keepUnresolved: true, pruneEveryMs: ms(o.pruneEvery ?? '24h'), vacuum: true };
  return {
    name,
    selector: o.selector ?? null,
    incidents,
    maxDatabaseBytes: o.maxDatabaseBytes ?? null,
    checkinHistoryRetainDays: 30,
    policyHash: retentionPolicyHash({ ...incidents, pruneEverySeconds: incidents.pruneEveryMs / 1000 }),
  };
}

export function otsPolicy(o: { expireAfter?: string; alertPendingAbove?: number; calendars?: string[] } = {}): OtsPolicy {
  return {
    name: 'default',
    calendars: o.calendars ?? ['https://alice.btc.calendar.opentimestamps.org'],
    expireAfterMs: ms(o.expireAfter ?? '7d'),
    upgradeEveryMs: ms('1h'),
    upgradeBatch: 500,
    ...(o.alertPendingAbove !== undefined ? { alertPendingAbove: o.alertPendingAbove } : {}),
  };
}

export interface DesiredOptions {
  appliances?: Appliance[];
  releases?: Release[];
  rollouts?: Rollout[];
  retentionPolicies?: RetentionPolicy[];
  otsPolicy?: OtsPolicy | null;
  offlineAfter?: string;
  revision?: string;
}

/** A desired state; releases named by rollouts are added when not given. */
export function desired(o: DesiredOptions = {}): DesiredState {
  const rollouts = o.rollouts ?? [];
  const releases = [...(o.releases ?? [])];
  for (const r of rollouts) if (!releases.some((x) => x.name === r.release)) releases.push(release(r.release));
  const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : 1);
  return {
    revision: o.revision ?? 'rev-1',
    fleet: { name: null, checkinIntervalMs: 60_000, offlineAfterMs: ms(o.offlineAfter ?? '10m') },
    appliances: [...(o.appliances ?? [])].sort(byName),
    releases: releases.sort(byName),
    rollouts: [...rollouts].sort(byName),
    retentionPolicies: [...(o.retentionPolicies ?? [])].sort(byName),
    otsPolicy: o.otsPolicy ?? null,
    objects: [],
  };
}

export interface ObservationOptions {
  at?: string;
  version?: string | null;
  update?: Partial<UpdateReport> & { release: string; phase: UpdateReport['phase'] };
  deferUntil?: string | null;
  retention?: ApplianceObservation['retention'];
}

/** An appliance's last check-in, by default online at `at` running 1.0.0 with no update. */
export function seen(id: string, o: ObservationOptions = {}): ApplianceObservation {
  const obs: ApplianceObservation = {
    id,
    lastCheckinAt: o.at ?? '2026-01-31T11:59:00Z',
    agentVersion: o.version === undefined ? '1.0.0' : o.version,
    imageVersion: null,
    update: o.update ? { since: o.at ?? '2026-01-31T11:00:00Z', attempt: 1, error: null, ...o.update } : null,
    retention: o.retention ?? null,
  };
  if (o.deferUntil !== undefined) obs.deferUntil = o.deferUntil;
  return obs;
}

export function assigned(appliance: string, release: string, at: string): Assignment {
  return { appliance, release, at };
}

/** A rollout as observed: stage 1 started at `stageStartedAt`, Progressing, with its assignments. */
export function observedRollout(name: string, o: Partial<RolloutObservation> = {}): RolloutObservation {
  return { name, stage: 1, stageStartedAt: '2026-01-31T00:00:00Z', phase: 'Progressing', assignments: [], ...o };
}

export function state(o: { appliances?: ApplianceObservation[]; rollouts?: RolloutObservation[]; proofs?: Partial<StateDocument['proofs']> } = {}): StateDocument {
  return {
    apiVersion: 'muster.dev/v1alpha1',
    kind: 'State',
    exportedAt: '2026-01-31T12:00:00Z',
    appliances: o.appliances ?? [],
    rollouts: o.rollouts ?? [],
    proofs: { pending: [], anchored: 0, expired: 0, failed: 0, ...o.proofs },
  };
}

export const NOW = new Date('2026-01-31T12:00:00Z');
