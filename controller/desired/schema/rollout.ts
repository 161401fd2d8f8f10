import { Type, type Static } from '@sinclair/typebox';
import { CLOCK_PATTERN, Duration, LabelSelector, Name, Strict, StringEnum } from './common.js';
import { DisruptionBudget } from './disruption-budget.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export const RolloutStage = Strict({
  percent: Type.Integer({ minimum: 1, maximum: 100, description: 'Share of the eligible appliances this stage covers' }),
  soak: Type.Optional(Duration('How long to wait after the stage completes before the next begins')),
});

export const RolloutWindow = Strict(
  {
    days: Type.Array(StringEnum(WEEKDAYS), {
      minItems: 1,
      description: 'Days the window opens (mon…sun)',
    }),
    start: Type.String({ pattern: CLOCK_PATTERN, description: 'Local opening time, HH:MM' }),
    end: Type.String({ pattern: CLOCK_PATTERN, description: 'Local closing time, HH:MM, exclusive; at or before start means overnight' }),
    timeZone: Type.String({ minLength: 1, description: 'IANA time zone, e.g. Europe/Berlin' }),
  },
  'When new appliances may be assigned',
);

export const FailurePolicy = Strict(
  {
    maxFailures: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'Failed members tolerated over the whole rollout' })),
    action: Type.Optional(
      StringEnum(['pause', 'abort'], {
        default: 'pause',
        description: 'What to do past maxFailures: pause, or abort and withdraw unsucceeded assignments',
      }),
    ),
  },
  'What happens when appliances fail',
);

export const RolloutSpec = Strict(
  {
    release: Name('The Release this rollout delivers'),
    selector: Type.Optional(LabelSelector),
    stages: Type.Array(RolloutStage, { minItems: 1, description: 'Strictly increasing percentages ending at 100' }),
    progressDeadline: Type.Optional(Duration('How long an assigned appliance may take before it is stuck', '2h')),
    maxConcurrent: Type.Optional(Type.Integer({ minimum: 1, description: 'Most appliances in flight at once' })),
    failurePolicy: Type.Optional(FailurePolicy),
    window: Type.Optional(RolloutWindow),
    paused: Type.Optional(Type.Boolean({ default: false, description: 'Stop assigning new appliances' })),
    rollback: Type.Optional(
      Type.Boolean({
        default: false,
        description: 'A rollback: may assign appliances that run or target a newer version, and outranks every rollout that is not one',
      }),
    ),
    disruptionBudget: Type.Optional(DisruptionBudget),
  },
  'A staged rollout of a release',
);
export type RolloutSpec = Static<typeof RolloutSpec>;
export type Weekday = (typeof WEEKDAYS)[number];
