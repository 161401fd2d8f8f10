import type { DesiredState } from '../controller/desired/types.js';
import { ReconcileCache } from '../controller/reconcile/reconcile.js';
import { reconcile } from '../controller/reconcile/reconcile.js';
import { median, timeMs, type Benchmark, type BenchResult } from './bench.js';
import { buildFleet } from './reconcile.bench.js';

const NOW = new Date('2026-01-31T12:00:00Z');
const ROUNDS = 5;
const GOAL_MS = 1000;

/**
 * The reconcile benchmark fleet with limits that make a forecast work: a Fleet budget of two in
 * flight per site (2,000 sites of 50), and a nightly window on every client hotfix.
 */
function limited(desired: DesiredState): DesiredState {
  return {
    ...desired,
    fleet: { ...desired.fleet, disruptionBudget: { groupBy: ['site'], maxUnavailable: 2 } },
    rollouts: desired.rollouts.map((r) =>
      r.name.startsWith('hotfix-') ? { ...r, window: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], startMinute: 22 * 60, endMinute: 5 * 60, timeZone: 'Europe/Berlin' } } : r,
    ),
  };
}

/**
 * `forecast`: `muster plan`'s pass over the 100,000-appliance reconcile fleet with every rollout
 * forecast (the median update time taken from every member that reported success), beside the same
 * pass without a forecast in the same run; each with a fresh cache, as `plan` runs. Also on the
 * same fleet under a per-site budget and nightly windows.
 */
export const forecastBenchmark: Benchmark = {
  id: 'forecast',
  run: async (): Promise<BenchResult> => {
    const { desired, observed } = buildFleet();
    const budgeted = limited(desired);
    const forecast = { assumeUpdateMs: null };
    const cold = { plain: [] as number[], forecast: [] as number[] };
    const warm = { plain: [] as number[], forecast: [] as number[], limitedPlain: [] as number[], limited: [] as number[] };
    const caches = { plain: new ReconcileCache(), limited: new ReconcileCache() };
    reconcile(desired, observed, NOW, { cache: caches.plain });
    reconcile(budgeted, observed, NOW, { cache: caches.limited });
    let completes = '';
    for (let i = 0; i < ROUNDS; i++) {
      cold.plain.push((await timeMs(() => reconcile(desired, observed, NOW, { cache: new ReconcileCache() }))).ms);
      cold.forecast.push((await timeMs(() => reconcile(desired, observed, NOW, { cache: new ReconcileCache(), forecast }))).ms);
      warm.plain.push((await timeMs(() => reconcile(desired, observed, NOW, { cache: caches.plain }))).ms);
      warm.forecast.push((await timeMs(() => reconcile(desired, observed, NOW, { cache: caches.plain, forecast }))).ms);
      warm.limitedPlain.push((await timeMs(() => reconcile(budgeted, observed, NOW, { cache: caches.limited }))).ms);
      const l = await timeMs(() => reconcile(budgeted, observed, NOW, { cache: caches.limited, forecast }));
      warm.limited.push(l.ms);
      completes = l.value.rollouts.find((r) => r.name === 'fleet-v3.2.0')?.forecast?.completesAt ?? 'never';
    }
    const m = { coldPlain: median(cold.plain), coldForecast: median(cold.forecast), plain: median(warm.plain), forecast: median(warm.forecast), limitedPlain: median(warm.limitedPlain), limited: median(warm.limited) };
    return {
      title: `Forecast of every rollout over ${desired.appliances.length.toLocaleString('en-US')} appliances (${desired.rollouts.length} rollouts)`,
      figures: [
        { name: `plan pass, fresh cache, without forecast (median of ${ROUNDS})`, value: m.coldPlain, unit: 'ms' },
        { name: `plan pass, fresh cache, with forecast (median of ${ROUNDS})`, value: m.coldForecast, unit: 'ms' },
        { name: 'plan pass, fresh cache, with forecast (max)', value: Math.max(...cold.forecast), unit: 'ms' },
        { name: `warm pass without forecast (median of ${ROUNDS})`, value: m.plain, unit: 'ms' },
        { name: `warm pass with forecast (median of ${ROUNDS})`, value: m.forecast, unit: 'ms' },
        { name: 'warm pass with forecast (max)', value: Math.max(...warm.forecast), unit: 'ms' },
        { name: `warm pass without forecast, per-site budget and nightly windows (median of ${ROUNDS})`, value: m.limitedPlain, unit: 'ms' },
        { name: `warm pass with forecast, per-site budget and nightly windows (median of ${ROUNDS})`, value: m.limited, unit: 'ms' },
        { name: 'warm pass with forecast, per-site budget and nightly windows (max)', value: Math.max(...warm.limited), unit: 'ms' },
        { name: 'the forecast alone (warm medians, difference)', value: m.forecast - m.plain, unit: 'ms' },
        { name: 'the forecast alone, per-site budget and nightly windows (warm medians, difference)', value: m.limited - m.limitedPlain, unit: 'ms' },
      ],
      comparison: `a warm pass with forecast takes ${(m.forecast / m.plain).toFixed(2)}× one without, ${(m.limited / m.limitedPlain).toFixed(2)}× with budget and windows (fleet-v3.2.0 then completes ${completes}); a fresh-cache plan with forecast ${(m.coldForecast / m.coldPlain).toFixed(2)}×`,
      goal: `the whole fleet forecast in under ${GOAL_MS} ms`,
      met: m.forecast - m.plain < GOAL_MS && m.limited - m.limitedPlain < GOAL_MS,
    };
  },
};
