import type { Plan } from '../reconcile/plan.js';

/**
 * How old the saved plan (what `muster status` and `describe` read) may get when passes change
 * nothing. The plan holds every appliance's status and every finding — about 5 MB for 10,000
 * appliances — so rewriting it on every pass was most of what an idle pass wrote.
 */
export const LATEST_PLAN_REFRESH_MS = 30_000;

/** What the store needs to know of the plan it saved last. */
export interface SavedPlanStamp {
  revision: string | null;
  /** The saved plan's `now`. */
  savedAt: string;
}

/**
 * Whether applyPlan writes this plan as the latest: always when it applies actions, when none was
 * saved, when the desired-state revision changed, or when the saved one is LATEST_PLAN_REFRESH_MS old
 * (by the plans' own times); otherwise the saved plan stays, at most that much older than the fleet.
 */
export function shouldSavePlan(plan: Plan, revision: string | null, saved: SavedPlanStamp | null, refreshMs = LATEST_PLAN_REFRESH_MS): boolean {
  if (!saved || plan.actions.length > 0 || saved.revision !== revision) return true;
  return !(Date.parse(plan.now) - Date.parse(saved.savedAt) < refreshMs);
}
