import { isStatus } from '../engine/member-table.js';
import type { ReconcileContext } from '../context.js';
import type { RolloutOutcome } from '../rollout-pass.js';

/** The update time a forecast assumes, and where it comes from, for its stated assumptions. */
export interface UpdateTime {
  ms: number;
  basis: 'assumed' | 'observed' | 'default';
  /** How many observed assignment-to-success times the median is taken over (0 unless observed). */
  samples: number;
}

/** What a plan is asked to forecast with: `--assume-update`, or null to use what the fleet shows. */
export interface ForecastOptions {
  assumeUpdateMs: number | null;
}

/** 30m: the update time assumed when neither a flag nor any observation gives one. */
export const DEFAULT_UPDATE_MS = 30 * 60_000;

/**
 * The time each assigned appliance is assumed to take: `assumeUpdateMs` when given, else the
 * median of the fleet's observed assignment-to-success times — for every succeeded member of a
 * declared rollout whose agent reported success for that release, the time from its assignment to
 * that report — else 30 minutes. Reads the pass's member table, so it is called before the pass
 * ends; it costs one look at each member.
 */
export function updateTimeOf(ctx: ReconcileContext, outcomes: readonly Pick<RolloutOutcome, 'release'>[], options: ForecastOptions): UpdateTime {
  if (options.assumeUpdateMs !== null) return { ms: options.assumeUpdateMs, basis: 'assumed', samples: 0 };
  const { members, seen } = ctx;
  const samples: number[] = [];
  for (let i = 0; i < members.rankOf.length; i++) {
    const rank = members.rankOf[i] as number;
    if (rank < 0 || !isStatus(members, i, 'succeeded')) continue;
    const update = seen.obs[i]?.update;
    // Success known only from the version it runs says nothing of how long it took.
    if (update?.phase !== 'succeeded' || update.release !== outcomes[rank]?.release.name) continue;
    const took = (members.finalAtMs[i] as number) - (members.assignedAtMs[i] as number);
    if (took > 0) samples.push(took);
  }
  if (!samples.length) return { ms: DEFAULT_UPDATE_MS, basis: 'default', samples: 0 };
  const sorted = Float64Array.from(samples).sort();
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return { ms: Math.round(median), basis: 'observed', samples: sorted.length };
}
