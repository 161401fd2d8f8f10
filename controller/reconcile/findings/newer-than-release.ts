import type { ReconcileContext } from '../context.js';
import type { Finding } from '../plan.js';
import type { RolloutOutcome } from '../rollout-pass.js';

/**
 * NewerThanRelease: one warning per rollout that is not a rollback and refuses eligible appliances
 * because they report running a newer version than its release (and no higher-ranked rollout
 * targets them), counting and naming them. Such a rollout never downgrades; a rollback does.
 */
export function newerThanRelease(ctx: ReconcileContext, o: RolloutOutcome): Finding | null {
  if (o.newer.length === 0) return null;
  const ids = o.newer.map((i) => ctx.index.ids[i] as string);
  const named = ids.slice(0, 10).join(', ') + (ids.length > 10 ? `, and ${ids.length - 10} more` : '');
  const they = ids.length === 1 ? 'appliance runs' : 'appliances run';
  return {
    type: 'NewerThanRelease',
    severity: 'warning',
    rollout: o.spec.name,
    message: `${ids.length} eligible ${they} a newer version than ${o.spec.release} (${named}): ${o.spec.name} does not downgrade them; set rollback: true to roll them back`,
  };
}
