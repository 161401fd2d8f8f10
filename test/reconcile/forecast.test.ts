import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DesiredState, RolloutWindowSpec } from '../../controller/desired/types.js';
import type { StateDocument } from '../../controller/observed/state-schema.js';
import type { RolloutForecast } from '../../controller/reconcile/forecast/forecast.js';
import { nextWindowOpening } from '../../controller/reconcile/forecast/next-opening.js';
import { reconcile } from '../../controller/reconcile/reconcile.js';
import { isWindowOpen } from '../../controller/reconcile/window.js';
import { worldArb } from './arbitraries.js';
import { appliances, assigned, desired, NOW, observedRollout, rollout, seen, state, type RolloutOptions } from './builders.js';

const MIN = 60_000;
const at = (minutes: number) => new Date(NOW.getTime() + minutes * MIN).toISOString();
const forecastOf = (d: DesiredState, s: StateDocument = state(), assumeUpdateMs: number | null = 30 * MIN): RolloutForecast => {
  const p = reconcile(d, s, NOW, { cache: null, forecast: { assumeUpdateMs } });
  return p.rollouts[0]?.forecast as RolloutForecast;
};
const fleet = (count: number, o: RolloutOptions) => desired({ appliances: appliances('box', count, { site: 'a' }), rollouts: [rollout('v1.0.2', o)] });
const online = (id: string, o: Parameters<typeof seen>[1] = {}) => seen(id, { at: '2026-01-31T11:59:30Z', ...o });
const times = (f: RolloutForecast) => f.stages.map((s) => [s.stage, s.startsAt, s.completesAt]);
const BERLIN_NIGHTS = { days: ['mon', 'tue', 'wed', 'thu', 'fri'] as RolloutWindowSpec['days'], start: '22:00', end: '05:00', timeZone: 'Europe/Berlin' };

describe('forecast', () => {
  const rows: { name: string; given: { d: DesiredState; s?: StateDocument }; want: (string | number | null)[][] }[] = [
    {
      name: 'no limits: each stage takes one update time, then its soak',
      given: { d: fleet(10, { stages: [{ percent: 10, soak: '1h' }, { percent: 50, soak: '1h' }, { percent: 100 }] }) },
      want: [
        [1, at(0), at(30)],
        [2, at(90), at(120)],
        [3, at(180), at(210)],
      ],
    },
    {
      name: 'maxConcurrent 2 of 5: three rounds',
      given: { d: fleet(5, { maxConcurrent: 2 }) },
      want: [[1, at(0), at(90)]],
    },
    {
      name: 'a closed window: the stage starts when the window next opens, in its time zone (Monday 22:00 Berlin)',
      given: { d: fleet(3, { window: BERLIN_NIGHTS }) },
      want: [[1, '2026-02-02T21:00:00.000Z', '2026-02-02T21:30:00.000Z']],
    },
    {
      name: 'a known deferral: that appliance is assigned when it ends',
      given: { d: fleet(2, {}), s: state({ appliances: [online('box-00', { deferUntil: at(120) }), online('box-01')] }) },
      want: [[1, at(0), at(150)]],
    },
    {
      name: 'members in flight finish one update time after their assignment; succeeded ones are done',
      given: {
        d: fleet(2, {}),
        s: state({
          appliances: [online('box-00', { version: '1.0.2' }), online('box-01')],
          rollouts: [observedRollout('v1.0.2', { stageStartedAt: at(-10), assignments: [assigned('box-00', 'v1.0.2', at(-10)), assigned('box-01', 'v1.0.2', at(-10))] })],
        }),
      },
      want: [[1, at(-10), at(20)]],
    },
  ];
  it.each(rows)('$name', ({ given, want }) => {
    expect(times(forecastOf(given.d, given.s))).toEqual(want);
    expect(forecastOf(given.d, given.s).completesAt).toBe(want[want.length - 1]?.[2]);
  });

  it('a disruption budget of one per site updates a site one appliance at a time', () => {
    const d = fleet(3, {});
    const budgeted = { ...d, fleet: { ...d.fleet, disruptionBudget: { groupBy: ['site'], maxUnavailable: 1 } } };
    const f = forecastOf(budgeted, state({ appliances: ['box-00', 'box-01', 'box-02'].map((id) => online(id)) }));
    expect(times(f)).toEqual([[1, at(0), at(90)]]);
    expect(f.assumptions).toContain('appliances in flight in other rollouts finish one update time from now');
  });

  it('a budget of 0 never completes, and says so', () => {
    const d = fleet(2, {});
    const f = forecastOf({ ...d, fleet: { ...d.fleet, disruptionBudget: { groupBy: ['site'], maxUnavailable: 0 } } });
    expect(f.completesAt).toBeNull();
    expect(f.assumptions.join('\n')).toContain('never has room');
  });

  it('states its assumptions: the update time and where it comes from', () => {
    expect(forecastOf(fleet(2, {})).assumptions[0]).toBe('each update takes 30m (--assume-update)');
    expect(forecastOf(fleet(2, {}), state(), null).assumptions[0]).toBe('each update takes 30m (no success observed yet)');
  });

  it('a paused rollout has no stages and says why', () => {
    const f = forecastOf(fleet(2, { paused: true }));
    expect(f.stages).toEqual([]);
    expect(f.assumptions).toContain('paused by its spec: nothing more is assigned until it resumes');
  });

  it('plans without a forecast unless asked', () => {
    expect(reconcile(fleet(2, {}), state(), NOW, { cache: null }).rollouts[0]?.forecast).toBeUndefined();
  });
});

describe('the update time a forecast assumes', () => {
  const success = (id: string, since: string) => online(id, { version: '1.0.2', update: { release: 'v1.0.2', phase: 'succeeded', since } });
  const three = desired({ appliances: appliances('box', 3), rollouts: [rollout('v1.0.2')] });
  const rows: { name: string; given: StateDocument; want: string }[] = [
    { name: 'nothing observed: 30m', given: state(), want: 'each update takes 30m (no success observed yet)' },
    {
      name: 'the median of assignment-to-success times (10m, 20m, 60m → 20m)',
      given: state({
        appliances: [success('box-00', at(-50)), success('box-01', at(-40)), success('box-02', at(0))],
        rollouts: [observedRollout('v1.0.2', { assignments: ['box-00', 'box-01', 'box-02'].map((id) => assigned(id, 'v1.0.2', at(-60))) })],
      }),
      want: 'each update takes 20m, the median of 3 observed assignment-to-success times',
    },
    {
      name: 'a member that runs the release without reporting its update is not a sample',
      given: state({
        appliances: [online('box-00', { version: '1.0.2' }), success('box-01', at(-45))],
        rollouts: [observedRollout('v1.0.2', { assignments: ['box-00', 'box-01'].map((id) => assigned(id, 'v1.0.2', at(-60))) })],
      }),
      want: 'each update takes 15m, the median of 1 observed assignment-to-success time',
    },
  ];
  it.each(rows)('$name', ({ given, want }) => {
    expect(forecastOf(three, given, null).assumptions[0]).toBe(want);
  });

  it('--assume-update wins over observations', () => {
    const s = state({ appliances: [success('box-00', at(-50))], rollouts: [observedRollout('v1.0.2', { assignments: [assigned('box-00', 'v1.0.2', at(-60))] })] });
    expect(forecastOf(three, s, 45 * MIN).assumptions[0]).toBe('each update takes 45m (--assume-update)');
  });
});

describe('the next opening of a window', () => {
  const w: RolloutWindowSpec = { days: ['mon'], startMinute: 22 * 60, endMinute: 22 * 60 + 5, timeZone: 'America/New_York' };
  it('is the instant itself when open, else the exact next opening in the window’s time zone', () => {
    expect(new Date(nextWindowOpening(w, NOW.getTime()) as number).toISOString()).toBe('2026-02-03T03:00:00.000Z');
    const open = Date.parse('2026-02-03T03:02:00Z');
    expect(nextWindowOpening(w, open)).toBe(open);
  });
});

describe('forecast properties', () => {
  it('is monotonic per stage and never starts a stage inside a closed window, budgets or not', () => {
    fc.assert(
      fc.property(worldArb, fc.integer({ min: 1, max: 600 }), fc.option(fc.integer({ min: 0, max: 2 }), { nil: null }), (w, minutes, budget) => {
        // Some worlds keep one or two appliances per ring in flight, fleet-wide.
        const d = budget === null ? w.desired : { ...w.desired, fleet: { ...w.desired.fleet, disruptionBudget: { groupBy: ['ring'], maxUnavailable: budget } } };
        const p = reconcile(d, w.observed, w.now, { cache: null, forecast: { assumeUpdateMs: minutes * MIN } });
        for (const r of p.rollouts) {
          // A removed rollout assigns nothing more: it has no forecast.
          if (r.phase === 'Removed') {
            expect(r.forecast).toBeUndefined();
            continue;
          }
          const f = r.forecast as RolloutForecast;
          const spec = w.desired.rollouts.find((x) => x.name === r.name);
          let last = -Infinity;
          f.stages.forEach((s, k) => {
            expect(s.stage).toBe(r.stage + k);
            if (s.startsAt === null) return;
            const start = Date.parse(s.startsAt);
            const done = s.completesAt === null ? Infinity : Date.parse(s.completesAt);
            expect(start).toBeGreaterThanOrEqual(last);
            expect(done).toBeGreaterThanOrEqual(start);
            last = done;
            // The current stage may have started earlier, when it was assigned; every later one opens the window.
            if (spec?.window && k > 0) expect(isWindowOpen(spec.window, start)).toBe(true);
          });
          if (f.stages.length) expect(f.completesAt).toBe(f.stages[f.stages.length - 1]?.completesAt);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('a slower update never makes a stage complete earlier', () => {
    fc.assert(
      fc.property(worldArb, fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 300 }), (w, fast, extra) => {
        const run = (m: number) => reconcile(w.desired, w.observed, w.now, { cache: null, forecast: { assumeUpdateMs: m * MIN } });
        const quick = run(fast);
        const slow = run(fast + extra);
        quick.rollouts.forEach((r, k) => {
          const a = r.forecast?.completesAt ?? null;
          const b = slow.rollouts[k]?.forecast?.completesAt ?? null;
          if (a !== null && b !== null) expect(Date.parse(b)).toBeGreaterThanOrEqual(Date.parse(a));
        });
      }),
      { numRuns: 200 },
    );
  });
});

