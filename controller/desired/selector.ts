import type { LabelSelectorSpec } from './types.js';

/** A problem with a selector, relative to the selector's own path. */
export interface SelectorProblem {
  path: string;
  message: string;
}

/**
 * Problems the schema cannot express, as Kubernetes reports them: `In`/`NotIn` need values,
 * `Exists`/`DoesNotExist` take none.
 */
export function selectorProblems(selector: LabelSelectorSpec): SelectorProblem[] {
  const problems: SelectorProblem[] = [];
  (selector.matchExpressions ?? []).forEach((req, i) => {
    const hasValues = (req.values ?? []).length > 0;
    if ((req.operator === 'In' || req.operator === 'NotIn') && !hasValues) {
      problems.push({ path: `matchExpressions[${i}].values`, message: `operator ${req.operator} needs at least one value` });
    }
    if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && req.values !== undefined) {
      problems.push({ path: `matchExpressions[${i}].values`, message: `operator ${req.operator} takes no values` });
    }
  });
  return problems;
}

/** Whether labels satisfy a selector; an absent or empty selector matches everything. */
export function matchesSelector(selector: LabelSelectorSpec | null | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, req.key);
    const value = labels[req.key];
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!has || !values.includes(value as string)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(value as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** `site=clinic-a,ring in (canary)`, the way kubectl prints a selector; `<all>` when empty. */
export function formatSelector(selector: LabelSelectorSpec | null | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const req of selector?.matchExpressions ?? []) {
    if (req.operator === 'Exists') parts.push(req.key);
    else if (req.operator === 'DoesNotExist') parts.push(`!${req.key}`);
    else parts.push(`${req.key} ${req.operator === 'In' ? 'in' : 'notin'} (${(req.values ?? []).join(',')})`);
  }
  return parts.length ? parts.join(',') : '<all>';
}
