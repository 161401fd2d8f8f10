import { Type, type Static } from '@sinclair/typebox';
import { Duration, Strict } from './common.js';
import { DisruptionBudget } from './disruption-budget.js';

export const FleetSpec = Strict(
  {
    checkinInterval: Type.Optional(Duration('How often agents check in', '60s')),
    offlineAfter: Type.Optional(Duration('No check-in for this long means offline (default 3 × checkinInterval)')),
    disruptionBudget: Type.Optional(DisruptionBudget),
  },
  'Fleet-wide settings; at most one Fleet per repository',
);
export type FleetSpec = Static<typeof FleetSpec>;
