import type { Plan } from '../reconcile/plan.js';

/** An appliance whose target differs between the base plan and the head plan. */
export interface TargetChange {
  appliance: string;
  from: string | null;
  to: string | null;
}

/** How the fleet's targets differ between two plans computed for the same observed state and time. */
export function targetChanges(base: Plan, head: Plan): TargetChange[] {
  const before = new Map(base.appliances.map((a) => [a.id, a.target]));
  const after = new Map(head.appliances.map((a) => [a.id, a.target]));
  const ids = [...new Set([...before.keys(), ...after.keys()])].sort();
  const changes: TargetChange[] = [];
  for (const id of ids) {
    const from = before.get(id) ?? null;
    const to = after.get(id) ?? null;
    if (from !== to) changes.push({ appliance: id, from, to });
  }
  return changes;
}
