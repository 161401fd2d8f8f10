import { describe, expect, it } from 'vitest';
import { LATEST_PLAN_REFRESH_MS, shouldSavePlan, type SavedPlanStamp } from '../../controller/store/latest-plan.js';
import type { Action } from '../../controller/reconcile/plan.js';
import { plan } from './builders.js';

const T0 = '2026-01-31T12:00:00.000Z';
const later = (ms: number) => new Date(Date.parse(T0) + ms).toISOString();
const assign: Action = { type: 'AssignRelease', rollout: 'v51', appliance: 'a', release: 'v1.0.51' };

describe('when applyPlan saves the plan as the latest', () => {
  const rows: { name: string; given: { now: string; actions: Action[]; revision: string | null; saved: SavedPlanStamp | null }; want: boolean }[] = [
    { name: 'none saved yet', given: { now: T0, actions: [], revision: 'r1', saved: null }, want: true },
    { name: 'nothing new, saved a moment ago', given: { now: later(1_000), actions: [], revision: 'r1', saved: { revision: 'r1', savedAt: T0 } }, want: false },
    { name: 'nothing new, just under the refresh period', given: { now: later(LATEST_PLAN_REFRESH_MS - 1), actions: [], revision: 'r1', saved: { revision: 'r1', savedAt: T0 } }, want: false },
    { name: 'nothing new, a refresh period later', given: { now: later(LATEST_PLAN_REFRESH_MS), actions: [], revision: 'r1', saved: { revision: 'r1', savedAt: T0 } }, want: true },
    { name: 'the plan acts', given: { now: later(1_000), actions: [assign], revision: 'r1', saved: { revision: 'r1', savedAt: T0 } }, want: true },
    { name: 'a new revision', given: { now: later(1_000), actions: [], revision: 'r2', saved: { revision: 'r1', savedAt: T0 } }, want: true },
    { name: 'an unreadable saved time', given: { now: later(1_000), actions: [], revision: 'r1', saved: { revision: 'r1', savedAt: 'then' } }, want: true },
  ];
  for (const { name, given, want } of rows) {
    it(name, () => expect(shouldSavePlan(plan(given.now, given.actions), given.revision, given.saved)).toBe(want));
  }
});
