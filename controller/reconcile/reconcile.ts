import type { DesiredState, LoadError } from '../desired/types.js';
import type { StateDocument } from '../observed/state-schema.js';
import { applianceStatuses } from './appliances.js';
import { ReconcileCache } from './engine/cache.js';
import { buildContext, endPass, type ReconcileContext } from './context.js';
import type { Targeting } from './appliances.js';
import { applianceFindings } from './findings/appliances.js';
import { degenerateSettingFindings } from './findings/degenerate-settings.js';
import { degenerateStageFindings } from './findings/degenerate-stage.js';
import { sortFindings } from './findings/order.js';
import { newerThanRelease } from './findings/newer-than-release.js';
import { otsFindings } from './findings/ots.js';
import { retentionFindings } from './findings/retention.js';
import { rolloutFindings } from './findings/rollouts.js';
import { forecastRollout } from './forecast/forecast.js';
import { updateTimeOf, type ForecastOptions } from './forecast/update-time.js';
import type { Action, Finding, Plan } from './plan.js';
import { planProofs } from './proofs.js';
import { removedOutcome, targetReleaseMissing, withdrawFirst, type RemovedOutcome } from './removal.js';
import { planRollout, type RolloutOutcome } from './rollout-pass.js';
import { toIso } from './time.js';

/** The cache a caller owns and passes in: the controller's loop keeps one across passes, `muster plan` makes its own. */
export { ReconcileCache, type CacheStats } from './engine/cache.js';

export interface ReconcileOptions {
  /**
   * Where cohort orders and reusable results are kept between passes: the caller's own cache (the
   * controller's loop keeps one for its passes), or null to compute everything afresh (the naive pass
   * the benchmark compares with). Without one, the pass uses a private cache that ends with it, so no
   * two callers ever share hidden state.
   */
  cache?: ReconcileCache | null;
  /** Forecast each rollout assuming this update time (`muster plan` does; the controller's passes do not). */
  forecast?: ForecastOptions;
}

/**
 * The whole plan for one pass: statuses, findings and actions that take the observed fleet toward
 * the desired state at `now`. Synchronous and pure — no clock, no I/O — and independent of the order
 * of any input list. Rollouts that left the repository withdraw first (removal.ts); then declared
 * rollouts are planned highest rank first (rank.ts), so that each knows which of its appliances a
 * higher-ranked rollout has claimed before it assigns, counts or advances (claims.ts). Targets move
 * only by the plan's AssignRelease and WithdrawRelease. Statuses describe
 * the fleet once the actions are applied: reconciling `applyPlanToState(observed, plan)` at the same
 * `now` yields no action. A plan is data and is never changed once made: plans made with the same
 * cache share the appliance entries and findings that did not change between them.
 */
export function reconcile(desired: DesiredState, observed: StateDocument, now: Date, options: ReconcileOptions = {}): Plan {
  const cache = options.cache === undefined ? new ReconcileCache() : options.cache;
  let ctx = buildContext(desired, observed, now, cache);
  try {
    let planned = planRollouts(ctx, cache);
    while (ctx.replan.size > 0) {
      // A rollout that trips abort withdrew a target back to a rollout planned before it: plan
      // again with that rollout withdrawing first, so that the other one knows its member. Doing
      // so may make the withdrawal of another tripping rollout cascade up; each round withdraws
      // first at least one more rollout, so there are at most as many rounds as rollouts.
      const abortFirst = new Map([...ctx.abortFirst, ...ctx.replan]);
      endPass(ctx);
      ctx = buildContext(desired, observed, now, cache);
      ctx.abortFirst = abortFirst;
      planned = planRollouts(ctx, cache);
    }
    const { ranked, removed, outcomes } = planned;
    const proofs = planProofs(desired.otsPolicy, observed.proofs, ctx.nowMs);
    // Every step appends to one list; each builds its findings with their keys in the plan's order.
    const findings: Finding[] = [];
    for (const o of outcomes) {
      rolloutFindings(ctx, o, findings);
      const newer = newerThanRelease(ctx, o);
      if (newer) findings.push(newer);
    }
    for (const o of removed) {
      const missing = targetReleaseMissing(ctx, o);
      if (missing) findings.push(missing);
    }
    for (const o of outcomes) degenerateStageFindings(o, findings);
    degenerateSettingFindings(ctx, findings);
    applianceFindings(ctx, findings);
    retentionFindings(ctx, findings);
    findings.push(...otsFindings(desired.otsPolicy, observed.proofs, proofs));
    const update = options.forecast ? updateTimeOf(ctx, ranked, options.forecast) : null;
    const actions: Action[] = [];
    for (const o of removed) for (const action of o.actions) actions.push(action);
    for (const o of outcomes) for (const action of o.actions) actions.push(action);
    if (proofs.expire) actions.push(proofs.expire);
    return {
      now: ctx.nowIso,
      revision: desired.revision,
      errors: [],
      rollouts: [
        ...outcomes.map((o) => (update ? { ...o.status, forecast: forecastRollout(ctx, o, update) } : o.status)),
        ...removed.flatMap((o) => (o.status ? [o.status] : [])),
      ].sort((a, b) => (a.name < b.name ? -1 : 1)),
      appliances: applianceStatuses(ctx, ranked),
      findings: sortFindings(findings),
      actions,
    };
  } finally {
    endPass(ctx);
  }
}

/**
 * Plans every rollout of the pass: withdrawals of removed and latched-aborted rollouts first, then
 * the declared rollouts highest rank first, then what the removed ones still target.
 */
function planRollouts(ctx: ReconcileContext, cache: ReconcileCache | null): { ranked: Targeting[]; removed: RemovedOutcome[]; outcomes: RolloutOutcome[] } {
  withdrawFirst(ctx);
  const byRank: (RolloutOutcome | null)[] = ctx.ranked.map((r, rank) => (r.spec ? planRollout(ctx, r.spec, rank, cache) : null));
  const removed = ctx.ranked.flatMap((r, rank) => (r.spec ? [] : [removedOutcome(ctx, rank)]));
  const ranked = byRank.map((o, rank) => o ?? (removed.find((r) => r.rank === rank) as RemovedOutcome));
  const outcomes = byRank.filter((o): o is RolloutOutcome => o !== null).sort((a, b) => (a.spec.name < b.spec.name ? -1 : 1));
  return { ranked, removed, outcomes };
}

/**
 * The plan of a revision that failed to load: its errors, one DesiredStateInvalid finding, and
 * nothing else — no status and no action is computed from an invalid desired state.
 */
export function invalidPlan(errors: readonly LoadError[], now: Date, revision: string | null = null): Plan {
  const first = errors[0];
  const where = first ? ` (first: ${first.file}:${first.line}:${first.column} ${first.message})` : '';
  return {
    now: toIso(now.getTime()),
    revision,
    errors: [...errors],
    rollouts: [],
    appliances: [],
    findings: [
      {
        type: 'DesiredStateInvalid',
        severity: 'error',
        message: `the desired state has ${errors.length} ${errors.length === 1 ? 'error' : 'errors'}${where}; nothing is planned from it`,
      },
    ],
    actions: [],
  };
}
