import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DisruptionBudgetSpec } from '../../controller/desired/schema/disruption-budget.js';
import type { DesiredState, Rollout } from '../../controller/desired/types.js';
import type { StateDocument } from '../../controller/observed/state-schema.js';
import { applyPlanToState } from '../../controller/reconcile/apply.js';
import { exceedsBudget, groupName } from '../../controller/reconcile/disruption-budget.js';
import type { Plan } from '../../controller/reconcile/plan.js';
import { reconcile } from '../../controller/reconcile/reconcile.js';
import { appliance, assigned, desired, NOW, observedRollout, rollout, seen, state } from './builders.js';

const BY_SITE: DisruptionBudgetSpec = { groupBy: ['site'], maxUnavailable: 1 };
const clinics = [
  appliance('riverside-01', { site: 'riverside' }),
  appliance('riverside-02', { site: 'riverside' }),
  appliance('riverside-03', { site: 'riverside', box: 'special' }),
  appliance('hilltop-01', { site: 'hilltop' }),
  appliance('hilltop-02', { site: 'hilltop' }),
];
const online = (id: string, o: Parameters<typeof seen>[1] = {}) => seen(id, { at: '2026-01-31T11:59:30Z', ...o });
const everyoneOnline = clinics.map((a) => online(a.name));

function world(o: { fleet?: DisruptionBudgetSpec; rollouts: Rollout[] }): DesiredState {
  const d = desired({ appliances: clinics, rollouts: o.rollouts });
  return o.fleet ? { ...d, fleet: { ...d.fleet, disruptionBudget: o.fleet } } : d;
}
const withBudget = (r: Rollout, budget: DisruptionBudgetSpec): Rollout => ({ ...r, disruptionBudget: budget });
const assignedIn = (p: Plan) => p.actions.flatMap((a) => (a.type === 'AssignRelease' ? [a.appliance] : [])).sort();
const sites = (ids: string[]) => ids.map((id) => id.replace(/-\d+$/, ''));

describe('disruption budget', () => {
  const rows: { name: string; given: { d: DesiredState; s: StateDocument }; want: { sites: string[]; count: number } }[] = [
    {
      name: 'the Fleet budget lets one appliance per site in flight',
      given: { d: world({ fleet: BY_SITE, rollouts: [rollout('v1.0.2')] }), s: state({ appliances: everyoneOnline }) },
      want: { sites: ['hilltop', 'riverside'], count: 2 },
    },
    {
      name: 'a Rollout budget applies to its own assignments',
      given: { d: world({ rollouts: [withBudget(rollout('v1.0.2'), { groupBy: ['site'], maxUnavailable: 2 })] }), s: state({ appliances: everyoneOnline }) },
      want: { sites: ['hilltop', 'hilltop', 'riverside', 'riverside'], count: 4 },
    },
    {
      name: 'an appliance in flight in another rollout uses up its group (stuck and offline count)',
      given: {
        d: world({ fleet: BY_SITE, rollouts: [rollout('v1.0.3', { selector: { matchLabels: { box: 'special' } } }), rollout('v1.0.2')] }),
        s: state({
          appliances: [...everyoneOnline.filter((a) => a.id !== 'riverside-03'), seen('riverside-03', { at: '2026-01-20T00:00:00Z' })],
          rollouts: [observedRollout('v1.0.3', { assignments: [assigned('riverside-03', 'v1.0.3', '2026-01-20T00:00:00Z')] })],
        }),
      },
      want: { sites: ['hilltop'], count: 1 },
    },
    {
      name: 'a member that already runs the release is never held back (it is not in flight)',
      given: { d: world({ fleet: { groupBy: ['site'], maxUnavailable: 0 }, rollouts: [rollout('v1.0.2')] }), s: state({ appliances: clinics.map((a) => online(a.name, { version: '1.0.2' })) }) },
      want: { sites: ['hilltop', 'hilltop', 'riverside', 'riverside', 'riverside'], count: 5 },
    },
    {
      name: 'succeeded and failed members leave room',
      given: {
        d: world({ fleet: BY_SITE, rollouts: [rollout('v1.0.2', { maxFailures: 1 })] }),
        s: state({
          appliances: [
            ...everyoneOnline.filter((a) => a.id !== 'riverside-01' && a.id !== 'hilltop-01'),
            online('riverside-01', { version: '1.0.2' }),
            online('hilltop-01', { update: { release: 'v1.0.2', phase: 'failed', since: '2026-01-31T11:00:00Z' } }),
          ],
          rollouts: [observedRollout('v1.0.2', { assignments: [assigned('riverside-01', 'v1.0.2', '2026-01-31T10:00:00Z'), assigned('hilltop-01', 'v1.0.2', '2026-01-31T10:00:00Z')] })],
        }),
      },
      want: { sites: ['hilltop', 'riverside'], count: 2 },
    },
  ];
  it.each(rows)('$name', ({ given, want }) => {
    const p = reconcile(given.d, given.s, NOW, { cache: null });
    expect(sites(assignedIn(p))).toEqual(want.sites);
    expect(assignedIn(p)).toHaveLength(want.count);
  });

  it('names the budget, the group and who is in flight in the reason of a held appliance and in the rollout message', () => {
    const d = world({ fleet: BY_SITE, rollouts: [rollout('v1.0.2')] });
    const s = state({
      appliances: everyoneOnline,
      rollouts: [observedRollout('v1.0.1', { assignments: [assigned('riverside-03', 'v1.0.1', '2026-01-31T11:00:00Z')] })],
    });
    const p = reconcile(d, s, NOW, { cache: null });
    const held = p.appliances.find((a) => a.id === 'riverside-01');
    expect(held?.status).toBe('idle');
    expect(held?.reason).toBe('waits for v1.0.2 (rollout v1.0.2): disruption budget site=riverside: 1 of 1 in flight (riverside-03)');
    expect(p.rollouts.find((r) => r.name === 'v1.0.2')?.message).toContain('waiting for a disruption budget');
  });

  it('a rollout held back only by a budget is Pending for DisruptionBudget', () => {
    const p = reconcile(world({ fleet: { groupBy: ['site'], maxUnavailable: 0 }, rollouts: [rollout('v1.0.2')] }), state({ appliances: everyoneOnline }), NOW, { cache: null });
    const r = p.rollouts[0];
    expect(r?.phase).toBe('Pending');
    expect(r?.conditions.map((c) => c.reason)).toContain('DisruptionBudget');
    expect(r?.message).toBe('Stage 1/1 (100%): nothing assigned yet: 5 waiting for a disruption budget');
  });

  it('a Rollout budget says whose it is', () => {
    const d = world({ rollouts: [withBudget(rollout('v1.0.2'), BY_SITE)] });
    const p = reconcile(d, state({ appliances: everyoneOnline }), NOW, { cache: null });
    const idle = p.appliances.filter((a) => a.status === 'idle');
    expect(idle.map((a) => a.reason)).toContain(
      `waits for v1.0.2 (rollout v1.0.2): disruption budget of rollout v1.0.2 site=riverside: 1 of 1 in flight (${assignedIn(p).find((id) => id.startsWith('riverside'))})`,
    );
  });

  it('property: a budget is never exceeded in any group across rollouts, whatever the appliances report', () => {
    const labels = fc.record({ site: fc.constantFrom('a', 'b', 'c'), ring: fc.constantFrom('x', 'y') });
    const arb = fc.record({
      labels: fc.array(labels, { minLength: 1, maxLength: 12 }),
      groupBy: fc.constantFrom(['site'], ['site', 'ring'], ['ring']),
      max: fc.integer({ min: 0, max: 2 }),
      own: fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }),
      maxConcurrent: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
      steps: fc.array(fc.array(fc.constantFrom('nothing', 'succeed', 'fail', 'offline'), { minLength: 12, maxLength: 12 }), { minLength: 1, maxLength: 6 }),
    });
    fc.assert(
      fc.property(arb, (w) => {
        const boxes = w.labels.map((l, k) => appliance(`box-${String(k).padStart(2, '0')}`, l));
        const fleetBudget = { groupBy: [...w.groupBy], maxUnavailable: w.max };
        const own = w.own === null ? null : { groupBy: ['site'], maxUnavailable: w.own };
        const rollouts = [
          { ...rollout('v1.0.1', { stages: [{ percent: 50 }, { percent: 100 }] }), disruptionBudget: own },
          { ...rollout('v1.0.2', { ...(w.maxConcurrent ? { maxConcurrent: w.maxConcurrent } : {}) }), disruptionBudget: own },
        ];
        const base = desired({ appliances: boxes, rollouts });
        const d = { ...base, fleet: { ...base.fleet, disruptionBudget: fleetBudget } };
        let s = state({ appliances: boxes.map((b) => online(b.name)) });
        let now = NOW.getTime();
        for (const step of w.steps) {
          const p = reconcile(d, s, new Date(now), { cache: null });
          s = applyPlanToState(s, p);
          // Every assignment keeps to both budgets, so neither is exceeded in any group.
          for (const budget of [fleetBudget, ...(own ? [own] : [])]) {
            for (const [group, n] of inFlightByGroup(s, boxes, budget.groupBy)) {
              if (n > budget.maxUnavailable) throw new Error(`${group}: ${n} in flight, budget ${budget.maxUnavailable}`);
            }
          }
          now += 10 * 60_000;
          s = report(s, step, new Date(now).toISOString());
        }
      }),
      { numRuns: 150 },
    );
  });
});

// In flight, judged independently of the rule: latest assignment not yet run, not failed since.
function inFlightByGroup(s: StateDocument, boxes: { name: string; labels: Record<string, string> }[], groupBy: string[]): Map<string, number> {
  const latest = new Map<string, { release: string; at: string }>();
  for (const r of s.rollouts) for (const a of r.assignments) if ((latest.get(a.appliance)?.at ?? '') <= a.at) latest.set(a.appliance, a);
  const counts = new Map<string, number>();
  for (const b of boxes) {
    const a = latest.get(b.name);
    const obs = s.appliances.find((o) => o.id === b.name);
    if (!a || obs?.agentVersion === a.release.slice(1)) continue;
    if (obs?.update?.release === a.release && obs.update.phase === 'failed' && obs.update.since > a.at) continue;
    const g = groupName(groupBy, b.labels);
    counts.set(g, (counts.get(g) ?? 0) + 1);
  }
  return counts;
}

// Each appliance with a target reports what the step says: success, failure, silence or nothing at all.
function report(s: StateDocument, step: string[], at: string): StateDocument {
  const latest = new Map<string, string>();
  for (const r of s.rollouts) for (const a of r.assignments) latest.set(a.appliance, a.release);
  return {
    ...s,
    appliances: s.appliances.map((o, k) => {
      const release = latest.get(o.id);
      const what = step[k % step.length];
      if (!release || what === 'nothing') return { ...o, lastCheckinAt: at };
      if (what === 'offline') return o;
      if (what === 'succeed') return { ...o, lastCheckinAt: at, agentVersion: release.slice(1), update: { release, phase: 'succeeded', since: at, attempt: 1, error: null } };
      return { ...o, lastCheckinAt: at, update: { release, phase: 'failed', since: at, attempt: 1, error: 'disk full' } };
    }),
  };
}

describe('exceedsBudget: whether more in flight would put a group over its maxUnavailable', () => {
  const rows: { name: string; given: { inFlight: number; adding: number; maxUnavailable: number }; want: boolean }[] = [
    { name: 'room while fewer than maxUnavailable are in flight', given: { inFlight: 1, adding: 1, maxUnavailable: 2 }, want: false },
    { name: 'over when the group is full', given: { inFlight: 2, adding: 1, maxUnavailable: 2 }, want: true },
    { name: 'an appliance already in flight adds nothing, so a full group still takes it', given: { inFlight: 2, adding: 0, maxUnavailable: 2 }, want: false },
    { name: 'an appliance already in flight is held while its group is over', given: { inFlight: 3, adding: 0, maxUnavailable: 2 }, want: true },
    { name: 'maxUnavailable 0 holds every appliance not yet in flight', given: { inFlight: 0, adding: 1, maxUnavailable: 0 }, want: true },
  ];
  for (const { name, given, want } of rows) {
    it(name, () => expect(exceedsBudget(given.inFlight, given.adding, given.maxUnavailable)).toBe(want));
  }
});
