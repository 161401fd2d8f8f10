import { Type, type Static } from '@sinclair/typebox';
import { LabelKey, Strict } from './common.js';

/**
 * How many appliances of one group may be in flight at once, across every rollout: a group is the
 * appliances with equal values of every `groupBy` label (a missing label counts as the empty value).
 */
export const DisruptionBudget = Strict(
  {
    groupBy: Type.Array(LabelKey, { minItems: 1, description: 'Label keys whose values form a group, e.g. [site]' }),
    maxUnavailable: Type.Integer({ minimum: 0, description: 'Most appliances of one group in flight at once (stuck and offline ones included)' }),
  },
  'At most maxUnavailable appliances per group in flight at once, counted across all rollouts',
);
export type DisruptionBudgetSpec = Static<typeof DisruptionBudget>;
