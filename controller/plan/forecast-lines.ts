import type { RolloutStatus } from '../reconcile/plan.js';

/** One rollout's forecast as lines of text: a headline, a line per stage, then what it assumes. */
export interface ForecastLines {
  rollout: string;
  headline: string;
  stages: string[];
  assumptions: string[];
}

/**
 * The forecast of each rollout that has one, worded for the text and markdown formats:
 * `completes 2026-02-01T03:30:00.000Z` (or why it never does), then per stage
 * `stage 2/3: starts 2026-02-01T02:00:00.000Z, completes 2026-02-01T02:30:00.000Z`.
 */
export function forecastLines(rollouts: readonly RolloutStatus[]): ForecastLines[] {
  const out: ForecastLines[] = [];
  for (const r of rollouts) {
    const f = r.forecast;
    if (!f) continue;
    const headline = f.completesAt ? `completes ${f.completesAt}` : f.stages.length ? 'does not complete under these assumptions' : 'no forecast';
    const stages = f.stages.map((s) => {
      const verb = s.startsAt !== null && s.startsAt <= r.stageStartedAt && s.stage === r.stage ? 'started' : 'starts';
      return `stage ${s.stage}/${r.stages}: ${verb} ${s.startsAt ?? 'never'}, completes ${s.completesAt ?? 'never'}`;
    });
    out.push({ rollout: r.name, headline, stages, assumptions: f.assumptions });
  }
  return out;
}
