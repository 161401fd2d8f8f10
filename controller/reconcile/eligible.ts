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

/** Per label key a selector has named: the positions of the appliances having each value, ascending. */
export type LabelIndex = Map<string, Map<string, Int32Array>>;

/**
 * The eligible set of a selector over the declared appliances (given sorted by id with their
 * labels): the positions of those whose labels match, ascending — so also sorted by id. A selector
 * with `matchLabels` looks its first pair up in `byLabel` (adding that key's index the first time)
 * and checks only the appliances having it: twenty client selectors over 100,000 appliances then
 * cost one scan, not twenty.
 */
export function eligiblePositions(labels: readonly Record<string, string>[], selector: LabelSelectorSpec | null, byLabel: LabelIndex = new Map()): Int32Array {
  const matches = compileSelector(selector);
  const pairs = Object.entries(selector?.matchLabels ?? {});
  const first = pairs[0];
  const candidates = first ? (labelIndex(byLabel, labels, first[0]).get(first[1]) ?? new Int32Array(0)) : null;
  const size = candidates ? candidates.length : labels.length;
  const out = new Int32Array(size);
  let n = 0;
  for (let k = 0; k < size; k++) {
    const i = candidates ? (candidates[k] as number) : k;
    if (matches(labels[i] as Record<string, string>)) out[n++] = i;
  }
  return n === size ? out : out.slice(0, n);
}

function labelIndex(byLabel: LabelIndex, labels: readonly Record<string, string>[], key: string): Map<string, Int32Array> {
  let byValue = byLabel.get(key);
  if (!byValue) {
    const lists = new Map<string, number[]>();
    for (let i = 0; i < labels.length; i++) {
      const value = (labels[i] as Record<string, string>)[key];
      if (typeof value !== 'string') continue;
      let list = lists.get(value);
      if (!list) lists.set(value, (list = []));
      list.push(i);
    }
    byValue = new Map([...lists].map(([value, list]) => [value, Int32Array.from(list)]));
    byLabel.set(key, byValue);
  }
  return byValue;
}
