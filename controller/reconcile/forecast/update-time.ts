import type { StateDocument } from '../../observed/state-schema.js';
import { toMs } from '../time.js';

/** The update time a forecast assumes, and where it comes from, for its stated assumptions. */
export interface UpdateTime {
  ms: number;
  basis: 'assumed' | 'observed' | 'default';
  /** How many observed assignment-to-success times the median is taken over (0 unless observed). */
  samples: number;
}

/** 30m: the update time assumed when neither a flag nor any observation gives one. */
export const DEFAULT_UPDATE_MS = 30 * 60_000;

/**
 * The time each assigned appliance is assumed to take: `assumedMs` when given (`--assume-update`),
 * else the median of the fleet's observed assignment-to-success times — for every recorded
 * assignment whose appliance reports success for that release since it was assigned, the time from
 * the assignment to that report — else 30 minutes.
 */
export function updateTimeOf(observed: StateDocument, assumedMs: number | null = null): UpdateTime {
  if (assumedMs !== null) return { ms: assumedMs, basis: 'assumed', samples: 0 };
  const byId = new Map(observed.appliances.map((a) => [a.id, a]));
  const samples: number[] = [];
  for (const r of observed.rollouts) {
    for (const a of r.assignments) {
      const update = byId.get(a.appliance)?.update;
      if (!update || update.release !== a.release || update.phase !== 'succeeded') continue;
      const at = toMs(a.at);
      const since = toMs(update.since);
      if (at !== null && since !== null && since >= at) samples.push(since - at);
    }
  }
  if (!samples.length) return { ms: DEFAULT_UPDATE_MS, basis: 'default', samples: 0 };
  samples.sort((a, b) => a - b);
  const mid = samples.length >> 1;
  const median = samples.length % 2 ? (samples[mid] as number) : ((samples[mid - 1] as number) + (samples[mid] as number)) / 2;
  return { ms: Math.round(median), basis: 'observed', samples: samples.length };
}
