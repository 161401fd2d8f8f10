import type { Issue } from './parse-documents.js';
import { issueAt, whereIs, type CheckedDocument } from './checked-document.js';
import { matchesSelector } from './selector.js';
import type { LabelSelectorSpec } from './types.js';

const NAME = ['metadata', 'name'] as const;

function listed(names: string[], most = 6): string {
  if (names.length === 0) return 'none';
  return names.length > most ? `${names.slice(0, most).join(', ')} and ${names.length - most} more` : names.join(', ');
}

/**
 * Names are unique per kind, and a singleton kind appears at most once. The later document in path
 * order is the one reported, at its `metadata.name`, naming where the first one is.
 */
function uniqueness(documents: CheckedDocument[]): Issue[] {
  const issues: Issue[] = [];
  const first = new Map<string, CheckedDocument>();
  for (const checked of documents) {
    if (checked.def.singleton) {
      const earlier = first.get(checked.def.kind);
      if (earlier) {
        const message = `a repository holds at most one ${checked.def.kind}; ${earlier.name ? `\`${earlier.name}\`` : 'one'} is already declared at ${whereIs(earlier.document, NAME)}`;
        issues.push(issueAt(checked.document, NAME, message));
      } else first.set(checked.def.kind, checked);
      continue;
    }
    if (checked.name === null) continue;
    const key = `${checked.def.kind}/${checked.name}`;
    const earlier = first.get(key);
    if (earlier) {
      const message = `duplicate ${checked.def.kind} name \`${checked.name}\`: already declared at ${whereIs(earlier.document, NAME)}`;
      issues.push(issueAt(checked.document, NAME, message));
    } else first.set(key, checked);
  }
  return issues;
}

/** Every Rollout names a Release the repository declares (valid or not: its own errors say the rest). */
function releaseReferences(documents: CheckedDocument[]): Issue[] {
  const releases = new Set(documents.filter((d) => d.def.kind === 'Release' && d.name !== null).map((d) => d.name as string));
  const issues: Issue[] = [];
  for (const checked of documents) {
    if (checked.def.kind !== 'Rollout' || !checked.document.sound) continue;
    // Checked even when the Rollout has other errors, so one pass of fixes shows every problem.
    const release = (checked.value.spec as { release?: unknown } | null | undefined)?.release;
    if (typeof release === 'string' && !releases.has(release)) {
      const message = `Release \`${release}\` is not declared (declared: ${listed([...releases].sort())})`;
      issues.push(issueAt(checked.document, ['spec', 'release'], message));
    }
  }
  return issues;
}

/**
 * Each declared appliance follows at most one RetentionPolicy: for every pair of policies that
 * select a common appliance, the later one is reported at its selector, naming both files.
 */
function retentionOverlaps(documents: CheckedDocument[]): Issue[] {
  const appliances = documents
    .filter((d) => d.def.kind === 'Appliance' && d.valid)
    .map((d) => ({ name: d.name as string, labels: ((d.value.metadata as { labels?: Record<string, string> }).labels ?? {}) }));
  const policies = documents
    .filter((d) => d.def.kind === 'RetentionPolicy' && d.valid)
    .map((d) => {
      const selector = (d.value.spec as { selector?: LabelSelectorSpec }).selector;
      return { checked: d, selector, selects: new Set(appliances.filter((a) => matchesSelector(selector, a.labels)).map((a) => a.name)) };
    });
  const issues: Issue[] = [];
  policies.forEach((later, j) => {
    for (const earlier of policies.slice(0, j)) {
      const both = [...later.selects].filter((name) => earlier.selects.has(name)).sort();
      if (both.length === 0) continue;
      const message =
        `RetentionPolicy \`${later.checked.name}\` (${later.checked.document.file}) and \`${earlier.checked.name}\` (${earlier.checked.document.file}) ` +
        `both select ${listed(both)}; an appliance follows one retention policy`;
      issues.push(issueAt(later.checked.document, later.selector ? ['spec', 'selector'] : NAME, message));
    }
  });
  return issues;
}

/**
 * Rules across documents: unique names per kind, at most one Fleet and one OtsPolicy, Rollouts
 * naming declared Releases, and no appliance under two RetentionPolicies. `documents` are in path order.
 */
export function crossDocumentRules(documents: CheckedDocument[]): Issue[] {
  return [...uniqueness(documents), ...releaseReferences(documents), ...retentionOverlaps(documents)];
}
