import { exceedsBudget } from './disruption-budget.js';
import { budgetsOf, inFlightOf, type DisruptionBudgets } from './engine/budget-table.js';

/** How many in-flight appliances a hold text names before it counts the rest. */
const LISTED = 3;

/**
 * Why a budget holds appliance `i` back, naming the budget, the group and who is in flight:
 * `disruption budget site=riverside: 1 of 1 in flight (riverside-03)`; the rollout's own budget says
 * whose it is. Null when no budget of `rollout` is full for its group.
 */
export function budgetHoldText(budgets: DisruptionBudgets | null, rollout: string, i: number, ids: readonly string[]): string | null {
  if (!budgets) return null;
  const b = budgetsOf(budgets, rollout).find((g) => exceedsBudget(g.inFlight[g.groupOf[i] as number] as number, 1, g.spec.maxUnavailable));
  if (!b) return null;
  const group = b.groupOf[i] as number;
  const key = `${b.owner}\n${group}`;
  let text = budgets.texts.get(key);
  if (text === undefined) {
    const who = inFlightOf(budgets, b, ids, LISTED)[group] ?? [];
    const count = b.inFlight[group] as number;
    const listed = who.slice(0, LISTED).join(', ') + (count > LISTED ? ` +${count - LISTED} more` : '');
    const owner = b.owner === 'fleet' ? '' : ` of ${b.owner}`;
    text = `disruption budget${owner} ${b.names[group]}: ${count} of ${b.spec.maxUnavailable} in flight${listed ? ` (${listed})` : ''}`;
    budgets.texts.set(key, text);
  }
  return text;
}
