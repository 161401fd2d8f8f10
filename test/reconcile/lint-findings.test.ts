import { describe, expect, it } from 'vitest';
import type { DesiredState } from '../../controller/desired/types.js';
import type { Finding } from '../../controller/reconcile/plan.js';
import { reconcile } from '../../controller/reconcile/reconcile.js';
import { appliance, appliances, desired, NOW, rollout, state, type RolloutOptions } from './builders.js';

const LINT = new Set<Finding['type']>(['DegenerateStage', 'DegenerateBudget', 'ProgressDeadlineTooShort', 'NoEligibleAppliances']);
const lint = (d: DesiredState) =>
  reconcile(d, state(), NOW, { cache: null })
    .findings.filter((f) => LINT.has(f.type))
    .map((f) => ({ type: f.type, field: f.field ?? null, subject: f.rollout ?? f.policy ?? null }));
const withRollout = (count: number, o: RolloutOptions, budget?: DesiredState['rollouts'][number]['disruptionBudget']) => {
  const d = desired({ appliances: appliances('box', count, { site: 'a' }), rollouts: [rollout('v1.0.2', o)] });
  return budget === undefined ? d : { ...d, rollouts: d.rollouts.map((r) => ({ ...r, disruptionBudget: budget })) };
};

describe('plan-time lint for reviewers', () => {
  const rows: { name: string; given: DesiredState; want: ReturnType<typeof lint> }[] = [
    {
      name: '1% then 5% of ten appliances: stage 2 adds nobody',
      given: withRollout(10, { stages: [{ percent: 1 }, { percent: 5 }, { percent: 100 }] }),
      want: [{ type: 'DegenerateStage', field: 'spec.stages[1].percent', subject: 'v1.0.2' }],
    },
    {
      name: '1% then 5% of a hundred appliances: every stage adds some',
      given: withRollout(100, { stages: [{ percent: 1 }, { percent: 5 }, { percent: 100 }] }),
      want: [],
    },
    {
      name: 'one stage per degenerate stage: 10, 20, 30 of two appliances',
      given: withRollout(2, { stages: [{ percent: 10 }, { percent: 20 }, { percent: 30 }, { percent: 100 }] }),
      want: [
        { type: 'DegenerateStage', field: 'spec.stages[1].percent', subject: 'v1.0.2' },
        { type: 'DegenerateStage', field: 'spec.stages[2].percent', subject: 'v1.0.2' },
      ],
    },
    {
      name: 'nothing eligible: NoEligibleAppliances at the selector, no DegenerateStage',
      given: withRollout(3, { selector: { matchLabels: { site: 'elsewhere' } }, stages: [{ percent: 1 }, { percent: 5 }, { percent: 100 }] }),
      want: [{ type: 'NoEligibleAppliances', field: 'spec.selector', subject: 'v1.0.2' }],
    },
    {
      name: 'a progressDeadline no longer than the check-in interval',
      given: withRollout(3, { progressDeadline: '1m' }),
      want: [{ type: 'ProgressDeadlineTooShort', field: 'spec.progressDeadline', subject: 'v1.0.2' }],
    },
    {
      name: 'a rollout budget of 0',
      given: withRollout(3, {}, { groupBy: ['site'], maxUnavailable: 0 }),
      want: [{ type: 'DegenerateBudget', field: 'spec.disruptionBudget.maxUnavailable', subject: 'v1.0.2' }],
    },
    {
      name: 'a budget grouped by a label nobody carries',
      given: withRollout(3, {}, { groupBy: ['site', 'rack'], maxUnavailable: 1 }),
      want: [{ type: 'DegenerateBudget', field: 'spec.disruptionBudget.groupBy[1]', subject: 'v1.0.2' }],
    },
    {
      name: 'the Fleet budget of 0, reported on the Fleet',
      given: (() => {
        const d = desired({ appliances: [appliance('box-1', { site: 'a' })] });
        return { ...d, fleet: { ...d.fleet, name: 'main', disruptionBudget: { groupBy: ['site'], maxUnavailable: 0 } } };
      })(),
      want: [{ type: 'DegenerateBudget', field: 'spec.disruptionBudget.maxUnavailable', subject: 'main' }],
    },
    { name: 'a sensible rollout: no lint', given: withRollout(10, { stages: [{ percent: 10 }, { percent: 50 }, { percent: 100 }] }, { groupBy: ['site'], maxUnavailable: 2 }), want: [] },
  ];
  it.each(rows)('$name', ({ given, want }) => {
    expect(lint(given)).toEqual(want);
  });

  it('says what a degenerate stage covers', () => {
    const p = reconcile(withRollout(10, { stages: [{ percent: 1 }, { percent: 5 }, { percent: 100 }] }), state(), NOW, { cache: null });
    expect(p.findings.find((f) => f.type === 'DegenerateStage')?.message).toBe(
      "stage 2 of v1.0.2 (5%) adds no appliance to stage 1 (1%): on today's 10 eligible appliances both cover 1",
    );
  });
});
