import { Type, type Static, type TSchema } from '@sinclair/typebox';

/**
 * What an agent sends at check-in (`POST /v1/checkin`), shared by the agent and the controller: the
 * update phases, the update and retention reports, and the request body. The controller's State
 * document keeps each appliance's last report in this same shape.
 */

const StringEnum = <const T extends readonly string[]>(values: T) => Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });

/** RFC 3339 time with a zone, as every time in the State document is written. */
export const Timestamp = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Count = Type.Integer({ minimum: 0 });

export const UPDATE_PHASES = ['downloading', 'verifying', 'installing', 'rebooting', 'succeeded', 'failed'] as const;
export type UpdatePhase = (typeof UPDATE_PHASES)[number];
export const IN_FLIGHT_PHASES: readonly UpdatePhase[] = ['downloading', 'verifying', 'installing', 'rebooting'];

export const UpdateReport = Type.Object({
  release: Type.String({ minLength: 1, description: 'The Release name the agent is working on' }),
  phase: StringEnum(UPDATE_PHASES),
  since: Timestamp,
  attempt: Type.Integer({ minimum: 0 }),
  error: Nullable(Type.String({ maxLength: 4096 })),
});

export const RetentionReport = Type.Object({
  policyHash: Nullable(Type.String({ pattern: '^[0-9a-f]{64}$' })),
  lastPrunedAt: Nullable(Timestamp),
  databaseBytes: Count,
  incidents: Count,
  oldestIncidentAt: Nullable(Timestamp),
});

const reportFields = {
  agentVersion: Nullable(Type.String({ maxLength: 100 })),
  imageVersion: Nullable(Type.String({ maxLength: 100 })),
  update: Nullable(UpdateReport),
  deferUntil: Type.Optional(Nullable(Timestamp)),
  retention: Nullable(RetentionReport),
};

/** What one appliance last reported, and when. */
export const ApplianceObservation = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 253 }),
  lastCheckinAt: Timestamp,
  ...reportFields,
});

/** The body of `POST /v1/checkin`: an observation without its time, `id` optional (the token decides). */
export const CheckinRequest = Type.Object({
  id: Type.Optional(Type.String({ minLength: 1, maxLength: 253 })),
  ...reportFields,
});


export type UpdateReport = Static<typeof UpdateReport>;
export type RetentionReport = Static<typeof RetentionReport>;
export type ApplianceObservation = Static<typeof ApplianceObservation>;
export type CheckinRequest = Static<typeof CheckinRequest>;
