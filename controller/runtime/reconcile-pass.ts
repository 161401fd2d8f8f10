import type { Logger } from 'pino';
import type { DesiredState } from '../desired/types.js';
import type { ProofCounts } from '../observed/state-schema.js';
import type { NotifyContext } from '../notify/events.js';
import { withFindings } from '../notify/pass-findings.js';
import type { Finding, Plan } from '../reconcile/plan.js';
import type { ReconcileCache } from '../reconcile/reconcile.js';
import { reconcile } from '../reconcile/reconcile.js';
import type { RevisionStatus } from '../sources/revision-tracker.js';
import { StoreUnavailableError, type Store } from '../store/store.js';
import { withSourceFindings } from './source-findings.js';

/** What one pass did; the loop maps each kind to when it runs again (loop.ts, one switch). */
export type PassOutcome =
  | { kind: 'idle'; reason: string }
  | { kind: 'planned'; plan: Plan; applied: boolean; expired: number; proofs: ProofCounts }
  | { kind: 'conflict' }
  | { kind: 'unavailable'; error: Error }
  | { kind: 'failed'; error: Error };

export interface PassDeps {
  store: Store;
  /** The desired state of the last good revision, or null before one arrived. */
  desired: () => DesiredState | null;
  sourceStatus: () => RevisionStatus;
  /** Only the leader applies; followers plan to serve status and check-ins. */
  isLeader: () => boolean;
  log: Logger;
  /** Rows per transaction when expiring proofs. */
  expireBatch?: number;
  /** The cache this loop keeps from pass to pass (its owner's alone); without one each pass starts cold. */
  cache?: ReconcileCache;
  /** Notifications: findings about notifiers to add to the plan, and the outbox context applyPlan writes with. */
  notify?: PassNotify;
  /**
   * Forecast each rollout in the plan (the status page shows it), from the fleet's observed update
   * times; about a third more work per pass at 100,000 appliances.
   */
  forecast?: boolean;
}

export interface PassNotify {
  findings: () => Promise<Finding[]>;
  context: () => NotifyContext;
}

/**
 * One reconcile pass: read the observed state, plan with the pure core, apply the plan in one
 * transaction guarded by the state version (leader only; the proofs it expires are expired when it
 * commits), then start the rewrite of their rows in bounded batches. Never throws: every failure is
 * an outcome.
 */
export async function runPass(deps: PassDeps, now: Date): Promise<PassOutcome> {
  const desired = deps.desired();
  if (!desired) return { kind: 'idle', reason: 'no valid desired state yet' };
  try {
    const snapshot = await deps.store.loadObserved(now);
    const options = { cache: deps.cache, ...(deps.forecast ? { forecast: { assumeUpdateMs: null } } : {}) };
    const planned = withSourceFindings(reconcile(desired, snapshot.state, now, options), deps.sourceStatus());
    const plan = deps.notify ? withFindings(planned, await deps.notify.findings()) : planned;
    if (!deps.isLeader()) return { kind: 'planned', plan, applied: false, expired: 0, proofs: snapshot.state.proofs };
    const result = await deps.store.applyPlan(plan, {
      revision: desired.revision,
      expectedVersion: snapshot.version,
      ...(deps.notify ? { notify: deps.notify.context() } : {}),
    });
    if (!result.applied) return { kind: 'conflict' };
    logActions(deps.log, plan, desired.revision);
    await startExpiryRewrite(deps, plan);
    const expired = result.touched.proofsExpired ?? 0;
    return { kind: 'planned', plan, applied: true, expired, proofs: snapshot.state.proofs };
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    return err instanceof StoreUnavailableError ? { kind: 'unavailable', error } : { kind: 'failed', error };
  }
}

/**
 * Starts the rewrite of the rows the plan's ExpireProofs expired, in bounded batches. Their cutoff
 * was recorded by the apply, in its transaction, so expireProofs finds it recorded and counts
 * nothing (the apply counted them). A crash before this leaves the rows for the next expiry to
 * rewrite: every reader applies the cutoff meanwhile.
 */
async function startExpiryRewrite(deps: PassDeps, plan: Plan): Promise<void> {
  for (const action of plan.actions) {
    if (action.type === 'ExpireProofs') await deps.store.expireProofs(new Date(action.olderThan), deps.expireBatch);
  }
}

function logActions(log: Logger, plan: Plan, revision: string): void {
  for (const action of plan.actions) {
    const { type, ...detail } = action;
    log.info({ revision, ...('rollout' in action ? { rollout: action.rollout } : {}), action: type, ...detail }, `applied ${type}`);
  }
}
