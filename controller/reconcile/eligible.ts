import { canonicalJson } from '../desired/canonical.js';
import { matchesSelector } from '../desired/selector.js';
import type { LabelSelectorSpec } from '../desired/types.js';
import type { ReconcileContext } from './context.js';

/**
 * The eligible set of a selector: declared appliances whose labels match it (absent or empty selects
 * all), as ids sorted. Rollouts sharing a selector share one evaluation within a pass.
 */
export class EligibleSets {
  private readonly bySelector = new Map<string, string[]>();

  constructor(private readonly ctx: Pick<ReconcileContext, 'declared' | 'declaredIds'>) {}

  /** The sorted ids of the declared appliances that `selector` matches. */
  eligible(selector: LabelSelectorSpec | null): string[] {
    const key = selectorKey(selector);
    let ids = this.bySelector.get(key);
    if (!ids) {
      if (key === '{}') ids = this.ctx.declaredIds;
      else {
        ids = [];
        for (const id of this.ctx.declaredIds) {
          if (matchesSelector(selector, this.ctx.declared.get(id)?.labels ?? {})) ids.push(id);
        }
      }
      this.bySelector.set(key, ids);
    }
    return ids;
  }
}

function selectorKey(selector: LabelSelectorSpec | null): string {
  if (!selector) return '{}';
  const empty = Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
  return empty ? '{}' : canonicalJson(selector);
}
