import type { LoadError } from '../desired/types.js';
import type { Condition, RolloutPhase } from '../observed/state-schema.js';
import type { RolloutForecast } from './forecast/forecast.js';

/** A target: the rollout whose assignment set it and the release. */
export interface TargetRef {
  rollout: string;
  release: string;
}

/**
 * The plan is data. Its actions form a closed set that the applier switches on; reasons and
 * messages are for people and nothing branches on them.
 */
export type Action =
  | {
      type: 'AssignRelease';
      appliance: string;
      release: string;
      rollout: string;
      /** The target this replaces (absent: none), recorded with the assignment; reviewers see "from". */
      previous?: TargetRef | null;
      /** The appliance runs or targets a newer version: a rollback rollout downgrades it. */
      downgrade?: boolean;
    }
  | {
      type: 'WithdrawRelease';
      appliance: string;
      rollout: string;
      /** The release withdrawn, and the target the appliance gets back (null: none). For people. */
      release?: string;
      restores?: TargetRef | null;
    }
  | { type: 'AdvanceStage'; rollout: string; from: number; to: number; startedAt: string }
  | { type: 'SetPhase'; rollout: string; phase: RolloutPhase; from: RolloutPhase | null; latch?: LatchSet | null }
  | { type: 'ExpireProofs'; count: number; olderThan: string };

export type ActionType = Action['type'];

export type ApplianceUpdateStatus = 'pending' | 'updating' | 'succeeded' | 'failed' | 'stuck';

export interface StatusCounts {
  targeted: number;
  pending: number;
  updating: number;
  succeeded: number;
  failed: number;
  stuck: number;
}

export interface RolloutStatus {
  name: string;
  release: string;
  /** The release's version as declared (recorded, so that the rollout still ranks once its files are gone). */
  version: string;
  /** Whether it is a rollback. */
  rollback: boolean;
  phase: RolloutPhase;
  /** 1-based current stage and the number of stages. */
  stage: number;
  stages: number;
  stageStartedAt: string;
  counts: StatusCounts;
  conditions: Condition[];
  /** One line a person can act on; names only what is wrong. */
  message: string;
  revision: string;
  /** When its stages would start and complete; only when the plan was asked for a forecast. */
  forecast?: RolloutForecast;
}

export interface ApplianceStatus {
  id: string;
  /** Release name this appliance is told to run, or null. */
  target: string | null;
  /** The rollout the target comes from. */
  rollout: string | null;
  /** Status in that rollout; `idle` when it has no target, `unknown` when it is not declared. */
  status: ApplianceUpdateStatus | 'idle' | 'unknown';
  reason: string;
}

export type Severity = 'info' | 'warning' | 'error';

export type FindingType =
  | 'StuckAppliance'
  | 'RolloutStalled'
  | 'RolloutFailed'
  | 'ApplianceOffline'
  | 'UnknownAppliance'
  | 'NeverCheckedIn'
  | 'UnexpectedVersion'
  | 'RetentionNotApplied'
  | 'PruneOverdue'
  | 'DatabaseTooLarge'
  | 'OtsBacklog'
  | 'OtsCalendarNotFound'
  | 'DesiredStateInvalid'
  | 'AssignsOfflineAppliance'
  | 'NoEligibleAppliances'
  | 'NewerThanRelease'
  | 'TargetReleaseMissing'
  | 'NotifierMisconfigured'
  | 'NotificationUndeliverable'
  | 'DegenerateStage'
  | 'DegenerateBudget'
  | 'ProgressDeadlineTooShort';

export interface Finding {
  type: FindingType;
  severity: Severity;
  appliance?: string;
  rollout?: string;
  policy?: string;
  /** The OTS calendar an OtsCalendarNotFound is about. */
  calendar?: string;
  since?: string;
  /** The field of the subject's declaration a lint finding is about (`spec.stages[1].percent`), for annotations. */
  field?: string;
  message: string;
}

export interface Plan {
  /** The time this plan was computed for: the record of truth for every action's time. */
  now: string;
  revision: string | null;
  errors: LoadError[];
  rollouts: RolloutStatus[];
  appliances: ApplianceStatus[];
  findings: Finding[];
  actions: Action[];
}

/**
 * The failure latch a SetPhase records: the latched phase (the failure policy's `pause` or `abort`)
 * and the spec hash it holds for. Appliers store it as `{phase, specHash, at: plan.now}`.
 */
export interface LatchSet {
  phase: 'Paused' | 'Aborted';
  specHash: string;
}
