import type { Action, Plan } from '../reconcile/plan.js';

/** An appliance whose target this plan changes: from what, to what, by which rollout. */
export interface TargetMove {
  appliance: string;
  rollout: string;
  /** The release targeted before the plan, or null for none. */
  from: string | null;
  /** The release targeted once it is applied, or null for none. */
  to: string | null;
  /** A rollback moving it from a newer version. */
  downgrade: boolean;
}

/**
 * Every appliance whose target the plan's actions change, sorted by appliance: an AssignRelease
 * moves it from the target it replaces, a WithdrawRelease from the release withdrawn to the target
 * restored. A reviewer sees a rollback's blast radius here before the merge.
 */
export function targetMoves(plan: Plan): TargetMove[] {
  const moves = new Map<string, TargetMove>();
  for (const a of plan.actions) {
    const move = moveOf(a);
    if (!move) continue;
    // A withdrawal then an assignment of one appliance in one plan: from the first, to the last.
    const before = moves.get(a.type === 'AssignRelease' || a.type === 'WithdrawRelease' ? a.appliance : '');
    moves.set(move.appliance, before ? { ...move, from: before.from, downgrade: move.downgrade || before.downgrade } : move);
  }
  return [...moves.values()].filter((m) => m.from !== m.to).sort((a, b) => (a.appliance < b.appliance ? -1 : 1));
}

function moveOf(a: Action): TargetMove | null {
  if (a.type === 'AssignRelease') return { appliance: a.appliance, rollout: a.rollout, from: a.previous?.release ?? null, to: a.release, downgrade: a.downgrade === true };
  if (a.type === 'WithdrawRelease') return { appliance: a.appliance, rollout: a.rollout, from: a.release ?? null, to: a.restores?.release ?? null, downgrade: false };
  return null;
}

/** One line for a person: `a: v1.0.49 → v1.0.45 (rollout back, downgrade)`. */
export function describeMove(m: TargetMove): string {
  return `${m.appliance}: ${m.from ?? 'none'} → ${m.to ?? 'none'} (rollout ${m.rollout}${m.downgrade ? ', downgrade' : ''})`;
}
