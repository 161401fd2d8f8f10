import type { LabelSelectorSpec } from './types.js';

/** A problem with a selector, relative to the selector's own path. */
export interface SelectorProblem {
  path: string;
  message: string;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * Why `key` is not a Kubernetes label key (a qualified name: an optional DNS-subdomain prefix of at
 * most 253 characters and `/`, then a name of at most 63 letters, digits, `-`, `_` and `.` that
 * starts and ends with a letter or digit), or null when it is one.
 */
export function labelKeyProblem(key: string): string | null {
  const parts = key.split('/');
  if (parts.length > 2) return 'a label key has at most one `/`, between its prefix and its name (example.com/ring)';
  const name = parts[parts.length - 1] as string;
  if (parts.length === 2) {
    const prefix = parts[0] as string;
    if (prefix.length === 0) return 'its prefix before `/` is empty';
    if (prefix.length > 253) return `its prefix is ${prefix.length} characters long; at most 253`;
    if (!DNS_SUBDOMAIN.test(prefix)) return 'its prefix must be a DNS subdomain: lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit';
  }
  if (name.length === 0) return 'its name is empty';
  if (name.length > 63) return `its name is ${name.length} characters long; at most 63`;
  if (!LABEL_NAME.test(name)) return 'its name must be letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit';
  return null;
}

/**
 * Problems the schema cannot express, as Kubernetes reports them: `In`/`NotIn` need values,
 * `Exists`/`DoesNotExist` take none (an empty list is none), and every key is a label key.
 */
export function selectorProblems(selector: LabelSelectorSpec): SelectorProblem[] {
  const problems: SelectorProblem[] = [];
  (selector.matchExpressions ?? []).forEach((req, i) => {
    const keyProblem = labelKeyProblem(req.key);
    if (keyProblem) problems.push({ path: `matchExpressions[${i}].key`, message: `label key \`${req.key}\` is not valid: ${keyProblem}` });
    const hasValues = (req.values ?? []).length > 0;
    if ((req.operator === 'In' || req.operator === 'NotIn') && !hasValues) {
      problems.push({ path: `matchExpressions[${i}].values`, message: `operator ${req.operator} needs at least one value` });
    }
    if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && hasValues) {
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

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The selector as kubectl prints it (`LabelSelectorAsSelector(s).String()`): one requirement per
 * `matchLabels` pair (`key=value`) and expression (`key in (a,b)`, `key notin (a)`, `key`, `!key`),
 * sorted by key (a stable sort: ties keep `matchLabels` first, then expressions in order), values
 * sorted: `baz in (norf,qux),foo=bar`. `<all>` when it selects everything.
 */
export function formatSelector(selector: LabelSelectorSpec | null | undefined): string {
  const parts: { key: string; text: string }[] = Object.entries(selector?.matchLabels ?? {}).map(([key, v]) => ({ key, text: `${key}=${v}` }));
  for (const req of selector?.matchExpressions ?? []) {
    const { key } = req;
    const values = [...(req.values ?? [])].sort(byCodeUnits).join(',');
    if (req.operator === 'Exists') parts.push({ key, text: key });
    else if (req.operator === 'DoesNotExist') parts.push({ key, text: `!${key}` });
    else parts.push({ key, text: `${key} ${req.operator === 'In' ? 'in' : 'notin'} (${values})` });
  }
  parts.sort((a, b) => byCodeUnits(a.key, b.key));
  return parts.length ? parts.map((p) => p.text).join(',') : '<all>';
}
