import type { LoadedDocument } from './check-file.js';
import { canonicalJson, retentionPolicyHash, sha256Hex } from './canonical.js';
import { parseDuration, parseSize } from './quantities.js';
import { notifier } from './build-notifier.js';
import type { OtsPolicySpec } from './schema/ots-policy.js';
import type { ReleaseSpec } from './schema/release.js';
import type { RetentionPolicySpec } from './schema/retention-policy.js';
import type { RolloutSpec } from './schema/rollout.js';
import type { FleetSpec } from './schema/fleet.js';
import { KIND_BY_NAME } from './schema/kinds.js';
import type {
  Appliance,
  DesiredObject,
  DesiredState,
  FleetSettings,
  OtsPolicy,
  Release,
  RetentionPolicy,
  Rollout,
} from './types.js';

/** Defaults the schema cannot fill because their parent may be absent, or that derive from another field. */
export const DEFAULT_CHECKIN_INTERVAL_MS = 60_000;
export const OFFLINE_AFTER_INTERVALS = 3;
export const DEFAULT_PROGRESS_DEADLINE = '2h';
export const DEFAULT_FAILURE_POLICY = { maxFailures: 0, action: 'pause' } as const;
export const DEFAULT_CHECKIN_HISTORY_DAYS = 30;
export const DEFAULT_UPGRADE_BATCH = 500;

/** Durations and sizes were checked before the state is built; this only narrows the type. */
function ms(text: string | undefined, fallback: string): number {
  return parseDuration(text ?? fallback) ?? 0;
}

function byName<T extends { name: string }>(items: T[]): T[] {
  return items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

type Meta = { name: string; labels?: Record<string, string> };
const meta = (d: LoadedDocument) => d.value.metadata as Meta;

/** A Rollout's spec with every default written out, so equal intent gives an equal hash. */
export function completeRolloutSpec(spec: RolloutSpec): RolloutSpec {
  return {
    ...spec,
    progressDeadline: spec.progressDeadline ?? DEFAULT_PROGRESS_DEADLINE,
    failurePolicy: { ...DEFAULT_FAILURE_POLICY, ...spec.failurePolicy },
    paused: spec.paused ?? false,
  };
}

function completeRetentionSpec(spec: RetentionPolicySpec): RetentionPolicySpec {
  return { ...spec, checkinHistory: { retainDays: DEFAULT_CHECKIN_HISTORY_DAYS, ...spec.checkinHistory } };
}

function fleetSettings(doc: LoadedDocument | undefined): FleetSettings {
  const spec = (doc?.value.spec ?? {}) as FleetSpec;
  const interval = spec.checkinInterval ? ms(spec.checkinInterval, '60s') : DEFAULT_CHECKIN_INTERVAL_MS;
  const offline = spec.offlineAfter ? ms(spec.offlineAfter, '0s') : OFFLINE_AFTER_INTERVALS * interval;
  const budget = spec.disruptionBudget ? { disruptionBudget: spec.disruptionBudget } : {};
  return { name: doc ? meta(doc).name : null, checkinIntervalMs: interval, offlineAfterMs: offline, ...budget };
}

function clockMinutes(text: string): number {
  const [h, m] = text.split(':').map(Number);
  return (h as number) * 60 + (m as number);
}

function rollout(doc: LoadedDocument): Rollout {
  const spec = doc.value.spec as RolloutSpec;
  const fp = spec.failurePolicy as { maxFailures: number; action: 'pause' | 'abort' };
  return {
    name: meta(doc).name,
    release: spec.release,
    selector: spec.selector ?? null,
    stages: spec.stages.map((s) => ({ percent: s.percent, soakMs: s.soak ? ms(s.soak, '0s') : 0 })),
    progressDeadlineMs: ms(spec.progressDeadline, DEFAULT_PROGRESS_DEADLINE),
    maxConcurrent: spec.maxConcurrent ?? null,
    failurePolicy: { maxFailures: fp.maxFailures, action: fp.action },
    window: spec.window
      ? { days: spec.window.days, startMinute: clockMinutes(spec.window.start), endMinute: clockMinutes(spec.window.end), timeZone: spec.window.timeZone }
      : null,
    paused: spec.paused ?? false,
    rollback: spec.rollback ?? false,
    disruptionBudget: spec.disruptionBudget ?? null,
    specHash: sha256Hex(canonicalJson(spec)),
    raw: spec,
  };
}

function retentionPolicy(doc: LoadedDocument): RetentionPolicy {
  const spec = doc.value.spec as RetentionPolicySpec;
  const incidents = {
    retainDays: spec.incidents.retainDays,
    keepUnresolved: spec.incidents.keepUnresolved ?? true,
    pruneEveryMs: ms(spec.incidents.pruneEvery, '24h'),
    vacuum: spec.incidents.vacuum ?? true,
  };
  const pruneEverySeconds = Math.floor(incidents.pruneEveryMs / 1000);
  return {
    name: meta(doc).name,
    selector: spec.selector ?? null,
    incidents,
    maxDatabaseBytes: spec.maxDatabaseBytes === undefined ? null : parseSize(spec.maxDatabaseBytes),
    checkinHistoryRetainDays: spec.checkinHistory?.retainDays ?? DEFAULT_CHECKIN_HISTORY_DAYS,
    policyHash: retentionPolicyHash({ keepUnresolved: incidents.keepUnresolved, pruneEverySeconds, retainDays: incidents.retainDays, vacuum: incidents.vacuum }),
  };
}

function otsPolicy(doc: LoadedDocument): OtsPolicy {
  const { expireAfter, upgradeEvery, ...rest } = doc.value.spec as OtsPolicySpec;
  return {
    name: meta(doc).name,
    ...rest,
    upgradeBatch: rest.upgradeBatch ?? DEFAULT_UPGRADE_BATCH,
    expireAfterMs: ms(expireAfter, '7d'),
    upgradeEveryMs: ms(upgradeEvery, '1h'),
  };
}

function desiredObject(doc: LoadedDocument): DesiredObject {
  const { line, column } = doc.at.start;
  return {
    kind: doc.kind,
    name: meta(doc).name,
    labels: { ...(meta(doc).labels ?? {}) },
    spec: KIND_BY_NAME.get(doc.kind)?.spec ? (doc.value.spec as Record<string, unknown>) : null,
    source: { file: doc.file, line, column },
  };
}

/**
 * The typed desired state of documents that passed every check, in path order: defaults applied,
 * durations in ms, sizes in bytes, arrays sorted by name, `objects` in path order. Fills the
 * remaining defaults into each document's spec, so `objects` and hashes see complete specs.
 */
export function buildDesiredState(documents: readonly LoadedDocument[], revision: string): DesiredState {
  const of = (kind: string) => documents.filter((d) => d.kind === kind);
  for (const d of of('Rollout')) d.value.spec = completeRolloutSpec(d.value.spec as RolloutSpec);
  for (const d of of('RetentionPolicy')) d.value.spec = completeRetentionSpec(d.value.spec as RetentionPolicySpec);
  const ots = of('OtsPolicy')[0];
  if (ots) (ots.value.spec as OtsPolicySpec).upgradeBatch ??= DEFAULT_UPGRADE_BATCH;
  return {
    revision,
    fleet: fleetSettings(of('Fleet')[0]),
    appliances: byName(of('Appliance').map((d): Appliance => ({ name: meta(d).name, labels: { ...(meta(d).labels ?? {}) } }))),
    releases: byName(of('Release').map((d): Release => ({ name: meta(d).name, ...(d.value.spec as ReleaseSpec) }))),
    rollouts: byName(of('Rollout').map(rollout)),
    retentionPolicies: byName(of('RetentionPolicy').map(retentionPolicy)),
    otsPolicy: ots ? otsPolicy(ots) : null,
    notifiers: byName(of('Notifier').map(notifier)),
    objects: documents.map(desiredObject),
  };
}
