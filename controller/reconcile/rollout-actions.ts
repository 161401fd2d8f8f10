import type { ReconcileContext } from './context.js';
import { latchChange } from './failure-policy.js';
import type { Action } from './plan.js';
import type { RolloutOutcome } from './rollout-pass.js';
import { toIso } from './time.js';

type Decided = Omit<RolloutOutcome, 'actions' | 'status'>;

/**
 * A rollout's actions in the order an applier runs them: SetPhase first (it creates a rollout that
 * was never observed, at stage 1 started at `now`), then each AdvanceStage, then WithdrawRelease and
 * AssignRelease in cohort order. SetPhase appears only when the phase or the latch changes.
 */
export function rolloutActions(ctx: ReconcileContext, o: Decided): Action[] {
  const actions: Action[] = [];
  const latch = latchChange(o.decision, o.spec);
  if (!o.observed || o.observed.phase !== o.phase || latch !== undefined) {
    const setPhase: Extract<Action, { type: 'SetPhase' }> = { type: 'SetPhase', rollout: o.spec.name, phase: o.phase, from: o.observed?.phase ?? null };
    if (latch !== undefined) setPhase.latch = latch;
    actions.push(setPhase);
  }
  for (const a of o.progress.advances) {
    actions.push({ type: 'AdvanceStage', rollout: o.spec.name, from: a.from, to: a.to, startedAt: toIso(a.startedAtMs) });
  }
  for (const appliance of o.withdrawn) actions.push({ type: 'WithdrawRelease', appliance, rollout: o.spec.name });
  for (const i of o.set.assignedNow) {
    actions.push({ type: 'AssignRelease', appliance: ctx.index.ids[i] as string, release: o.spec.release, rollout: o.spec.name });
  }
  return actions;
}
