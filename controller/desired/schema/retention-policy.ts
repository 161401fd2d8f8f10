import { Type, type Static } from '@sinclair/typebox';
import { Duration, LabelSelector, Size, Strict } from './common.js';

export const RetentionPolicySpec = Strict(
  {
    selector: Type.Optional(LabelSelector),
    incidents: Strict(
      {
        retainDays: Type.Integer({ minimum: 1, description: 'Delete incidents older than this many days' }),
        keepUnresolved: Type.Optional(Type.Boolean({ default: true, description: 'Never delete unresolved incidents' })),
        pruneEvery: Type.Optional(Duration('How often the agent prunes', '24h')),
        vacuum: Type.Optional(Type.Boolean({ default: true, description: 'VACUUM the database after pruning' })),
      },
      'Retention of the appliance incidents database',
    ),
    maxDatabaseBytes: Type.Optional(Size('Report DatabaseTooLarge above this size')),
    checkinHistory: Type.Optional(
      Strict({ retainDays: Type.Optional(Type.Integer({ minimum: 1, default: 30, description: 'Controller-side check-in history kept' })) }),
    ),
  },
  'Data retention on appliances',
);
export type RetentionPolicySpec = Static<typeof RetentionPolicySpec>;
