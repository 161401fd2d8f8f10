import type { Figure } from '../bench.js';

/** What the controller under load did besides answering: its reconcile passes and group commits. */
export interface TargetMetrics {
  passes: number;
  passSeconds: number;
  batches: number;
  checkinsInBatches: number;
}

/** The value of one unlabelled sample in Prometheus text, or 0 when absent. */
export function sample(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : 0;
}

/** Reads the controller's `/metrics` once the load has ended. */
export async function scrapeTargetMetrics(url: string): Promise<TargetMetrics> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return {
    passes: sample(text, 'muster_reconcile_duration_seconds_count'),
    passSeconds: sample(text, 'muster_reconcile_duration_seconds_sum'),
    batches: sample(text, 'muster_checkin_batch_size_count'),
    checkinsInBatches: sample(text, 'muster_checkin_batch_size_sum'),
  };
}

/** What happened between two scrapes. */
export function metricsSince(before: TargetMetrics, after: TargetMetrics): TargetMetrics {
  return {
    passes: after.passes - before.passes,
    passSeconds: after.passSeconds - before.passSeconds,
    batches: after.batches - before.batches,
    checkinsInBatches: after.checkinsInBatches - before.checkinsInBatches,
  };
}

/** Passes run under load, their mean time, the time of one pass before the load, and the mean group-commit batch. */
export function passFigures(label: string, m: TargetMetrics, steadyPassMs: number | undefined): Figure[] {
  return [
    { name: `${label}: reconcile passes under load`, value: m.passes, unit: '' },
    { name: `${label}: mean pass under load`, value: m.passes ? (m.passSeconds / m.passes) * 1000 : 0, unit: 'ms' },
    ...(steadyPassMs === undefined ? [] : [{ name: `${label}: one pass, no load`, value: steadyPassMs, unit: 'ms' }]),
    { name: `${label}: mean batch`, value: m.batches ? m.checkinsInBatches / m.batches : 0, unit: 'check-ins' },
  ];
}
