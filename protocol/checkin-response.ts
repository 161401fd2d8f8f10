import { Type, type Static } from '@sinclair/typebox';

/** The answer to `POST /v1/checkin`: what to run, which retention policy to apply, when to come back. */
export const CheckinResponse = Type.Object({
  target: Type.Union([
    Type.Object({
      name: Type.String(),
      version: Type.String(),
      image: Type.Object({
        version: Type.String(),
        url: Type.String(),
        sha256: Type.String(),
        sizeBytes: Type.Optional(Type.Integer({ minimum: 1 })),
      }),
    }),
    Type.Null(),
  ]),
  retention: Type.Union([
    Type.Object({
      policy: Type.Object({
        retainDays: Type.Integer({ minimum: 1 }),
        keepUnresolved: Type.Boolean(),
        pruneEverySeconds: Type.Integer({ minimum: 1 }),
        vacuum: Type.Boolean(),
      }),
      policyHash: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    }),
    Type.Null(),
  ]),
  checkinIntervalSeconds: Type.Integer({ minimum: 1 }),
});
export type CheckinResponse = Static<typeof CheckinResponse>;

export const ErrorResponse = Type.Object({ error: Type.String(), message: Type.String() });
export type ErrorResponse = Static<typeof ErrorResponse>;
