import type { DesiredState, LoadError, LoadResult, SourceRef } from '../desired/types.js';
import type { StateDocument } from '../observed/state-schema.js';
import type { Plan } from '../reconcile/plan.js';
import { ReconcileCache } from '../reconcile/reconcile.js';
import { invalidPlan, reconcile } from '../reconcile/reconcile.js';
import { diffObjects, type Change } from './changes.js';
import { stageCohorts, type RolloutCohorts } from './stage-cohorts.js';
import { targetChanges, type TargetChange } from './target-diff.js';

/** What `muster plan` shows: the head's plan and, with `--base`, what the head changes. */
export interface PlanReport {
  plan: Plan;
  /** Where each head object is declared (`Kind/name` → file:line:column), for annotations. */
  sources: Map<string, SourceRef>;
  base: BaseComparison | null;
  /** Who each stage of a new or changed rollout hits (empty for an invalid head; absent for a saved plan). */
  cohorts?: RolloutCohorts[];
}

export interface BaseComparison {
  ref: string;
  revision: string | null;
  /** The base's own load errors: then every head object counts as added. */
  errors: LoadError[];
  changes: Change[];
  targetChanges: TargetChange[];
}

export interface ReportInput {
  head: LoadResult;
  base: { ref: string; result: LoadResult } | null;
  observed: StateDocument;
  now: Date;
  /** The update time the forecast assumes (`--assume-update`); else the observed median, else 30m. */
  assumeUpdateMs?: number | null;
}

/**
 * Plans the head against the observed state at `now`, each rollout with its forecast (an invalid
 * head gives its errors and no plan), and with a base, diffs the two desired states and the
 * targets the two plans give. Head and base are each planned with a cache of their own.
 */
export function buildPlanReport(input: ReportInput): PlanReport {
  const head = input.head.ok ? input.head.state : null;
  const forecast = { assumeUpdateMs: input.assumeUpdateMs ?? null };
  const plan = head ? reconcile(head, input.observed, input.now, { forecast, cache: new ReconcileCache() }) : invalidPlan(input.head.ok ? [] : input.head.errors, input.now);
  const sources = new Map<string, SourceRef>();
  for (const o of head?.objects ?? []) sources.set(`${o.kind}/${o.name}`, o.source);
  const base = input.base ? compareWithBase(input.base, head, plan, input) : null;
  return { plan, sources, base, cohorts: head ? stageCohorts(head, plan, base ? base.changes : null) : [] };
}

function compareWithBase(base: { ref: string; result: LoadResult }, head: DesiredState | null, headPlan: Plan, input: ReportInput): BaseComparison {
  const baseState = base.result.ok ? base.result.state : null;
  const changes = head ? diffObjects(baseState?.objects ?? [], head.objects) : [];
  const basePlan = baseState ? reconcile(baseState, input.observed, input.now, { cache: new ReconcileCache() }) : null;
  return {
    ref: base.ref,
    revision: baseState?.revision ?? null,
    errors: base.result.ok ? [] : base.result.errors,
    changes,
    targetChanges: basePlan && head ? targetChanges(basePlan, headPlan) : [],
  };
}
