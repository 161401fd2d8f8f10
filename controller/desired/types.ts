import type { Static } from '@sinclair/typebox';
import type { LabelSelector } from './schema/common.js';
import type { KindName } from './schema/kinds.js';
import type { NotifierSpec } from './schema/notifier.js';
import type { OtsPolicySpec } from './schema/ots-policy.js';
import type { ReleaseSpec } from './schema/release.js';
import type { DisruptionBudgetSpec } from './schema/disruption-budget.js';
import type { RolloutSpec, Weekday } from './schema/rollout.js';

/**
 * The loaded, validated desired state: defaults applied, durations in milliseconds, sizes in bytes.
 * Raw specs come from the schema types; only the parsed fields are spelled out here.
 */
export type LabelSelectorSpec = Static<typeof LabelSelector>;

/** Where an object came from, for messages and annotations. */
export interface SourceRef {
  file: string;
  line: number;
  column: number;
}

export interface DesiredObject {
  kind: KindName;
  name: string;
  labels: Record<string, string>;
  /** The spec as written plus schema defaults (absent for Appliance). */
  spec: Record<string, unknown> | null;
  source: SourceRef;
}

export interface FleetSettings {
  name: string | null;
  checkinIntervalMs: number;
  offlineAfterMs: number;
  /** The budget every rollout's assignments keep to; absent or null for none. */
  disruptionBudget?: DisruptionBudgetSpec | null;
}

export interface Appliance {
  name: string;
  labels: Record<string, string>;
}

export type Release = { name: string } & ReleaseSpec;

export interface RolloutStageSpec {
  percent: number;
  soakMs: number;
}

export interface RolloutWindowSpec {
  days: Weekday[];
  /** Minutes after local midnight. */
  startMinute: number;
  endMinute: number;
  timeZone: string;
}

export interface Rollout {
  name: string;
  release: string;
  selector: LabelSelectorSpec | null;
  stages: RolloutStageSpec[];
  progressDeadlineMs: number;
  maxConcurrent: number | null;
  failurePolicy: { maxFailures: number; action: 'pause' | 'abort' };
  window: RolloutWindowSpec | null;
  paused: boolean;
  /** A rollback rollout: it may downgrade, and outranks every rollout that is not one. */
  rollback: boolean;
  /** The budget this rollout's assignments keep to, besides the Fleet's; absent or null for none. */
  disruptionBudget?: DisruptionBudgetSpec | null;
  /** sha256 of the canonical spec: a failure latch holds until this changes. */
  specHash: string;
  raw: RolloutSpec;
}

export interface RetentionPolicy {
  name: string;
  selector: LabelSelectorSpec | null;
  incidents: { retainDays: number; keepUnresolved: boolean; pruneEveryMs: number; vacuum: boolean };
  maxDatabaseBytes: number | null;
  checkinHistoryRetainDays: number;
  /** The hash an agent reports once it applied this policy (see retention-hash.ts). */
  policyHash: string;
}

export type OtsPolicy = { name: string; expireAfterMs: number; upgradeEveryMs: number } & Omit<
  OtsPolicySpec,
  'expireAfter' | 'upgradeEvery'
>;

/** A git commit's author, time and subject line, as the audit trail names a revision. */
export interface RevisionCommit {
  author: string;
  committedAt: string;
  subject: string;
}

export interface DesiredState {
  /** A commit SHA for the git source, a content hash for a directory. */
  revision: string;
  /** Who made the revision (git source only), recorded for the audit trail. */
  commit?: RevisionCommit;
  fleet: FleetSettings;
  /** Sorted by name. */
  appliances: Appliance[];
  releases: Release[];
  rollouts: Rollout[];
  retentionPolicies: RetentionPolicy[];
  otsPolicy: OtsPolicy | null;
  /** Sorted by name; absent in states built before notifiers existed (read as none). */
  notifiers?: Notifier[];
  /**
   * Every object in path order, for the store and for `plan --base` changes. The controller empties
   * it once the store has them (see persistSourceChange): read them from the store there.
   */
  objects: DesiredObject[];
}

/** One problem in a fleet repository, placed like a compiler error. */
export interface LoadError {
  file: string;
  line: number;
  column: number;
  /** Field path such as `spec.stages[2].percent`; empty for a whole-document problem. */
  path: string;
  message: string;
}

/** A loader's outcome: a desired state or errors, never both. */
export type LoadResult = { ok: true; state: DesiredState } | { ok: false; errors: LoadError[] };

/** A Notifier with its durations in ms; where its URL and key come from is resolved by the controller. */
export interface Notifier {
  name: string;
  format: NotifierSpec['format'];
  urlFrom: SecretRef;
  secretFrom: SecretRef | null;
  on: { findings: string[] | null; severities: string[] | null; rollouts: string[] };
  quietPeriodMs: number;
  timeoutMs: number;
  giveUpAfterMs: number;
}

/** Exactly one of an environment variable or a file. */
export type SecretRef = { env: string } | { file: string };
