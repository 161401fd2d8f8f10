import type { ApiView } from '../api/server.js';
import type { DesiredState } from '../desired/types.js';
import type { Plan } from '../reconcile/plan.js';
import { stageMembers, type StageMembers } from '../reconcile/stage-members.js';
import { desiredFromSaved } from '../runtime/saved-desired.js';
import type { Store } from '../store/store.js';

export interface RolloutStages {
  eligible: number;
  stages: StageMembers[];
}

/**
 * What the status page reads: the controller's latest plan (the store's saved one when this replica
 * has none), and the last applied desired state for cohorts, parsed once per revision.
 */
export class PageData {
  private desired: { revision: string; state: DesiredState | null } | null = null;
  private cohorts = new Map<string, RolloutStages | null>();

  constructor(
    readonly store: Store,
    private readonly view: ApiView,
    /** The clock that dates what the page shows. */
    readonly now: () => Date,
  ) {}

  /** The latest plan, or null before the controller has reconciled. */
  async plan(): Promise<Plan | null> {
    return this.view.plan() ?? (await this.store.latestPlan())?.plan ?? null;
  }

  /** The source's readiness as the running controller knows it. */
  readiness(): ReturnType<ApiView['readiness']> {
    return this.view.readiness();
  }

  /** A rollout's stages with their members (from the desired state the plan was computed from), or null. */
  async stages(plan: Plan, rollout: string): Promise<RolloutStages | null> {
    const desired = await this.desiredState(plan.revision);
    if (!desired) return null;
    if (!this.cohorts.has(rollout)) this.cohorts.set(rollout, stageMembers(desired, rollout));
    return this.cohorts.get(rollout) ?? null;
  }

  private async desiredState(revision: string | null): Promise<DesiredState | null> {
    if (revision === null) return null;
    if (this.desired?.revision === revision) return this.desired.state;
    const saved = await this.store.loadDesiredState();
    // The store may already hold a newer revision than the plan: cohorts are then computed next time.
    const state = saved?.revision === revision ? desiredFromSaved(saved) : null;
    if (state) {
      this.desired = { revision, state };
      this.cohorts = new Map();
    }
    return state;
  }
}
