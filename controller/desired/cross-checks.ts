import type { LoadedDocument } from './check-file.js';
import type { Position } from './positions.js';
import { KIND_BY_NAME } from './schema/kinds.js';
import { matchesSelector } from './selector.js';
import type { LabelSelectorSpec, LoadError } from './types.js';

const NAME_PATH = 'metadata.name';

/** An error at one of the places a document recorded for these rules. */
function errorAt(document: LoadedDocument, at: Position, path: string, message: string): LoadError {
  return { file: document.file, line: at.line, column: at.column, path, message };
}

/** `releases/v1.0.51.yaml:4:9`: where a document's name is, for messages that point at another place. */
function whereIsName(document: LoadedDocument): string {
  return `${document.file}:${document.at.name.line}:${document.at.name.column}`;
}

function listed(names: string[], most = 6): string {
  if (names.length === 0) return 'none';
  return names.length > most ? `${names.slice(0, most).join(', ')} and ${names.length - most} more` : names.join(', ');
}

/**
 * Names are unique per kind, and a singleton kind appears at most once. The later document in path
 * order is the one reported, at its `metadata.name`, naming where the first one is.
 */
function uniqueness(documents: readonly LoadedDocument[]): LoadError[] {
  const errors: LoadError[] = [];
  const first = new Map<string, LoadedDocument>();
  for (const document of documents) {
    if (KIND_BY_NAME.get(document.kind)?.singleton) {
      const earlier = first.get(document.kind);
      if (earlier) {
        const message = `a repository holds at most one ${document.kind}; ${earlier.name ? `\`${earlier.name}\`` : 'one'} is already declared at ${whereIsName(earlier)}`;
        errors.push(errorAt(document, document.at.name, NAME_PATH, message));
      } else first.set(document.kind, document);
      continue;
    }
    if (document.name === null) continue;
    const key = `${document.kind}/${document.name}`;
    const earlier = first.get(key);
    if (earlier) {
      const message = `duplicate ${document.kind} name \`${document.name}\`: already declared at ${whereIsName(earlier)}`;
      errors.push(errorAt(document, document.at.name, NAME_PATH, message));
    } else first.set(key, document);
  }
  return errors;
}

/** Every Rollout names a Release the repository declares (valid or not: its own errors say the rest). */
function releaseReferences(documents: readonly LoadedDocument[]): LoadError[] {
  const releases = new Set(documents.filter((d) => d.kind === 'Release' && d.name !== null).map((d) => d.name as string));
  const errors: LoadError[] = [];
  for (const document of documents) {
    if (document.kind !== 'Rollout' || !document.sound || !document.at.release) continue;
    // Checked even when the Rollout has other errors, so one pass of fixes shows every problem.
    const release = (document.value.spec as { release?: unknown } | null | undefined)?.release;
    if (typeof release === 'string' && !releases.has(release)) {
      const message = `Release \`${release}\` is not declared (declared: ${listed([...releases].sort())})`;
      errors.push(errorAt(document, document.at.release, 'spec.release', message));
    }
  }
  return errors;
}

/**
 * Each declared appliance follows at most one RetentionPolicy: for every pair of policies that
 * select a common appliance, the later one is reported at its selector, naming both files.
 */
function retentionOverlaps(documents: readonly LoadedDocument[]): LoadError[] {
  const appliances = documents
    .filter((d) => d.kind === 'Appliance' && d.valid)
    .map((d) => ({ name: d.name as string, labels: ((d.value.metadata as { labels?: Record<string, string> }).labels ?? {}) }));
  const policies = documents
    .filter((d) => d.kind === 'RetentionPolicy' && d.valid)
    .map((d) => {
      const selector = (d.value.spec as { selector?: LabelSelectorSpec }).selector;
      return { document: d, selector, selects: new Set(appliances.filter((a) => matchesSelector(selector, a.labels)).map((a) => a.name)) };
    });
  const errors: LoadError[] = [];
  policies.forEach((later, j) => {
    for (const earlier of policies.slice(0, j)) {
      const both = [...later.selects].filter((name) => earlier.selects.has(name)).sort();
      if (both.length === 0) continue;
      const message =
        `RetentionPolicy \`${later.document.name}\` (${later.document.file}) and \`${earlier.document.name}\` (${earlier.document.file}) ` +
        `both select ${listed(both)}; an appliance follows one retention policy`;
      const { document } = later;
      errors.push(
        later.selector && document.at.selector
          ? errorAt(document, document.at.selector, 'spec.selector', message)
          : errorAt(document, document.at.name, NAME_PATH, message),
      );
    }
  });
  return errors;
}

/**
 * Rules across documents: unique names per kind, at most one Fleet and one OtsPolicy, Rollouts
 * naming declared Releases, and no appliance under two RetentionPolicies. `documents` are in path order.
 */
export function crossDocumentRules(documents: readonly LoadedDocument[]): LoadError[] {
  return [...uniqueness(documents), ...releaseReferences(documents), ...retentionOverlaps(documents)];
}
