import { canonicalJson } from '../desired/canonical.js';
import { matchesSelector } from '../desired/selector.js';
import type { LabelSelectorSpec } from '../desired/types.js';

/**
 * A selector as a predicate over labels. A `matchLabels`-only selector (the common case) becomes a
 * loop over its pairs — the same test matchesSelector makes first — so that matching 100,000
 * appliances allocates nothing; any other selector is matched by matchesSelector itself.
 */
export function compileSelector(selector: LabelSelectorSpec | null): (labels: Record<string, string>) => boolean {
  if (!selector) return () => true;
  if ((selector.matchExpressions ?? []).length > 0) return (labels) => matchesSelector(selector, labels);
  const keys = Object.keys(selector.matchLabels ?? {});
  const values = keys.map((k) => selector.matchLabels?.[k]);
  return (labels) => {
    for (let k = 0; k < keys.length; k++) if (labels[keys[k] as string] !== values[k]) return false;
    return true;
  };
}

/** A selector's identity: equal selectors select the same appliances; absent and empty are `{}`. */
export function selectorKey(selector: LabelSelectorSpec | null): string {
  if (!selector) return '{}';
  const empty = Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0;
  return empty ? '{}' : canonicalJson(selector);
}

/**
 * The eligible set of a selector over the declared appliances (given sorted by id with their
 * labels): the positions of those whose labels match, ascending — so also sorted by id.
 */
export function eligiblePositions(labels: readonly Record<string, string>[], selector: LabelSelectorSpec | null): Int32Array {
  const matches = compileSelector(selector);
  const out = new Int32Array(labels.length);
  let n = 0;
  for (let i = 0; i < labels.length; i++) if (matches(labels[i] as Record<string, string>)) out[n++] = i;
  return out.slice(0, n);
}
