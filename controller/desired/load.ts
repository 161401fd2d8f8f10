import { buildDesiredState } from './build-state.js';
import { checkDocument, identifyUnsound, type CheckedDocument } from './checked-document.js';
import { crossDocumentRules } from './cross-checks.js';
import { parseFleetFile, withPlainEnvironment, type FleetFile, type Issue } from './parse-documents.js';
import { formatPath, locateOffset, positionAt } from './positions.js';
import { documentRules } from './semantic-checks.js';
import type { LoadError, LoadResult } from './types.js';

export type { FleetFile } from './parse-documents.js';

/** Whether a repository path is a fleet file: `*.yaml` or `*.yml`. */
export function isFleetFilePath(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}

function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** An issue with its line and column. */
export function toLoadError(issue: Issue): LoadError {
  const { document } = issue;
  const offset = issue.offset ?? locateOffset(document.doc, issue.path, issue.placement);
  const { line, column } = positionAt(document.lines, offset);
  return { file: document.file, line, column, path: formatPath(issue.path), message: issue.message };
}

/** Errors in file, line, column order (then path and message, so the order never depends on the run). */
export function sortErrors(errors: LoadError[]): LoadError[] {
  return errors.sort(
    (a, b) =>
      comparePaths(a.file, b.file) || a.line - b.line || a.column - b.column || comparePaths(a.path, b.path) || comparePaths(a.message, b.message),
  );
}

/**
 * Loads a fleet repository from its files: parses every `*.yaml`/`*.yml` (other paths are ignored),
 * checks each document against its kind's schema and every rule of DESIGN.md, and returns the typed
 * desired state, or — when anything is wrong — every error placed at `file:line:column`, sorted.
 * Pure: no I/O, no clock. Never throws on bad input and never returns both a state and errors.
 */
export function loadFleetFiles(files: readonly FleetFile[], revision: string): LoadResult {
  return withPlainEnvironment(() => loadSorted(files, revision));
}

function loadSorted(files: readonly FleetFile[], revision: string): LoadResult {
  const fleetFiles = files.filter((f) => isFleetFilePath(f.path)).sort((a, b) => comparePaths(a.path, b.path));
  const issues: Issue[] = [];
  const checked: CheckedDocument[] = [];
  for (const file of fleetFiles) {
    const parsed = parseFleetFile(file);
    issues.push(...parsed.issues);
    for (const document of parsed.documents) {
      if (!document.sound) {
        const identified = identifyUnsound(document);
        if (identified) checked.push(identified);
        continue;
      }
      const result = checkDocument(document);
      issues.push(...result.issues);
      if (result.checked) checked.push(result.checked);
    }
  }
  for (const document of checked) if (document.valid) issues.push(...documentRules(document));
  issues.push(...crossDocumentRules(checked));
  if (issues.length > 0) return { ok: false, errors: sortErrors(issues.map(toLoadError)) };
  return { ok: true, state: buildDesiredState(checked, revision) };
}
