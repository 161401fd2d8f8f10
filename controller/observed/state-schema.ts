import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { StringEnum } from '../desired/schema/common.js';
import { API_GROUP_VERSION } from '../desired/schema/kinds.js';
import { ApplianceObservation, Timestamp } from '../../protocol/checkin-request.js';

// What the agent reports shares its schema with the check-in protocol (protocol/checkin-request.ts).
export {
  ApplianceObservation,
  CheckinRequest,
  IN_FLIGHT_PHASES,
  RetentionReport,
  Timestamp,
  UPDATE_PHASES,
  UpdateReport,
  type UpdatePhase,
} from '../../protocol/checkin-request.js';
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Count = Type.Integer({ minimum: 0 });

export const Condition = Type.Object({
  type: Type.String({ minLength: 1 }),
  status: StringEnum(['True', 'False', 'Unknown']),
  reason: Type.String({ pattern: '^[A-Z][A-Za-z0-9]*$' }),
  message: Type.String(),
  lastTransitionTime: Timestamp,
});

export const Assignment = Type.Object({
  appliance: Type.String({ minLength: 1 }),
  release: Type.String({ minLength: 1 }),
  at: Timestamp,
  /**
   * The target this assignment replaced (null: none). Optional: when absent, the previous target is
   * the appliance's latest earlier assignment in the document.
   */
  previous: Type.Optional(Nullable(Type.Object({ rollout: Type.String({ minLength: 1 }), release: Type.String({ minLength: 1 }) }))),
});

export const ROLLOUT_PHASES = ['Pending', 'Progressing', 'Paused', 'Aborted', 'Stalled', 'Superseded', 'Complete', 'Removed'] as const;
export type RolloutPhase = (typeof ROLLOUT_PHASES)[number];

export const RolloutObservation = Type.Object({
  name: Type.String({ minLength: 1 }),
  stage: Type.Integer({ minimum: 1 }),
  stageStartedAt: Timestamp,
  phase: StringEnum(ROLLOUT_PHASES),
  conditions: Type.Optional(Type.Array(Condition)),
  assignments: Type.Array(Assignment),
  /** Set while failures hold the rollout Paused or Aborted: the spec hash that tripped it. */
  latch: Type.Optional(
    Nullable(Type.Object({ phase: StringEnum(['Paused', 'Aborted']), specHash: Type.String(), at: Timestamp })),
  ),
  revision: Type.Optional(Nullable(Type.String())),
  /** The release it delivers; when absent, its assignments' release. */
  release: Type.Optional(Type.String({ minLength: 1 })),
  /** That release's version, which ranks the rollout once it left the repository; when absent, the declared Release's. */
  version: Type.Optional(Type.String({ minLength: 1 })),
  /** Whether it is a rollback; false when absent. */
  rollback: Type.Optional(Type.Boolean()),
});

export const ProofCounts = Type.Object({
  pending: Type.Array(Type.Object({ createdAt: Timestamp, count: Count })),
  anchored: Count,
  expired: Count,
  failed: Count,
  /** Per calendar: proofs whose commitment the calendar answered "Not found" for (OtsCalendarNotFound). */
  notFound: Type.Optional(Type.Array(Type.Object({ calendar: Type.String(), count: Count, since: Timestamp }))),
});

/** The observed state as one document: `muster state export` writes it, `plan --state` reads it. */
export const StateDocument = Type.Object({
  apiVersion: StringEnum([API_GROUP_VERSION]),
  kind: StringEnum(['State']),
  exportedAt: Timestamp,
  appliances: Type.Array(ApplianceObservation),
  rollouts: Type.Array(RolloutObservation),
  proofs: ProofCounts,
});

export type Condition = Static<typeof Condition>;
export type Assignment = Static<typeof Assignment>;
export type RolloutObservation = Static<typeof RolloutObservation>;
export type ProofCounts = Static<typeof ProofCounts>;
export type StateDocument = Static<typeof StateDocument>;
