import type { ReconcileContext } from './context.js';
import { latchField } from './failure-policy.js';
import { targetOf } from './engine/target-table.js';
import type { Action, TargetRef } from './plan.js';
import { compareVersions } from './versions.js';
import type { RolloutOutcome } from './rollout-pass.js';
import { toIso } from './time.js';

type Decided = Omit<RolloutOutcome, 'actions' | 'status'>;

/**
 * A rollout's actions in the order an applier runs them: SetPhase first (it creates a rollout that
 * was never observed, at stage 1 started at `now`), then each AdvanceStage, then WithdrawRelease and
 * AssignRelease in cohort order. Each AssignRelease names the target it replaces, and is flagged a
 * downgrade when a rollback moves an appliance from a newer version. SetPhase appears only when the phase or the latch changes.
 */
export function rolloutActions(ctx: ReconcileContext, o: Decided): Action[] {
  const actions: Action[] = [];
  const latch = latchField(o.decision, o.spec);
  if (!o.observed || o.observed.phase !== o.phase || latch !== undefined) {
    const setPhase: Extract<Action, { type: 'SetPhase' }> = { type: 'SetPhase', rollout: o.spec.name, phase: o.phase, from: o.observed?.phase ?? null };
    if (latch !== undefined) setPhase.latch = latch;
    actions.push(setPhase);
  }
  for (const a of o.progress.advances) {
    actions.push({ type: 'AdvanceStage', rollout: o.spec.name, from: a.from, to: a.to, startedAt: toIso(a.startedAtMs) });
  }
  for (const w of o.withdrawn) actions.push({ type: 'WithdrawRelease', appliance: w.appliance, rollout: o.spec.name, release: w.release, restores: w.restores });
  for (const i of o.set.assignedNow) {
    const previous = targetOf(ctx.targets, ctx.ranked, i);
    const assign: Extract<Action, { type: 'AssignRelease' }> = { type: 'AssignRelease', appliance: ctx.index.ids[i] as string, release: o.spec.release, rollout: o.spec.name };
    // Absent for an appliance that had no target: most assignments of a first rollout.
    if (previous) assign.previous = previous;
    if (o.spec.rollback && isDowngrade(ctx, i, o.release.version, previous)) assign.downgrade = true;
    actions.push(assign);
  }
  return actions;
}

// Whether assigning `version` moves the appliance back: it runs, or was told to run, a newer one.
function isDowngrade(ctx: ReconcileContext, i: number, version: string, previous: TargetRef | null): boolean {
  const running = ctx.seen.version[i];
  if (running != null && compareVersions(running, version) > 0) return true;
  const before = previous ? ctx.index.releases.get(previous.release)?.version : undefined;
  return before !== undefined && compareVersions(before, version) > 0;
}
