import { Type, type Static } from '@sinclair/typebox';
import { Duration, Strict } from './common.js';

export const OtsPolicySpec = Strict(
  {
    calendars: Type.Array(Type.String({ pattern: '^https?://[^\\s/]+(/[^\\s]*)?$' }), {
      minItems: 1,
      description: 'The only calendars Muster contacts (https; http only on loopback)',
    }),
    expireAfter: Type.Optional(Duration('Pending proofs older than this are marked expired', '7d')),
    upgradeEvery: Type.Optional(Duration('How often pending proofs are upgraded', '1h')),
    upgradeBatch: Type.Optional(Type.Integer({ minimum: 1, default: 500, description: 'Most proofs upgraded per pass' })),
    alertPendingAbove: Type.Optional(Type.Integer({ minimum: 0, description: 'Raise OtsBacklog above this many pending proofs' })),
  },
  'OpenTimestamps proof lifecycle; at most one',
);
export type OtsPolicySpec = Static<typeof OtsPolicySpec>;
