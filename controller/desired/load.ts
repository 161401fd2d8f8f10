import { buildDesiredState } from './build-state.js';
import { checkFleetFile, type CheckedFile } from './check-file.js';
import { crossDocumentRules } from './cross-checks.js';
import { withPlainEnvironment, type FleetFile } from './parse-documents.js';
import type { LoadError, LoadResult } from './types.js';

export type { FleetFile } from './parse-documents.js';

/** Whether a repository path is a fleet file: `*.yaml` or `*.yml`. */
export function isFleetFilePath(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}

function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Errors in file, line, column order (then path and message, so the order never depends on the run). */
export function sortErrors(errors: LoadError[]): LoadError[] {
  return errors.sort(
    (a, b) =>
      comparePaths(a.file, b.file) || a.line - b.line || a.column - b.column || comparePaths(a.path, b.path) || comparePaths(a.message, b.message),
  );
}

/** The fleet files among `files`, in path order: the order every result is built in. */
export function fleetFilesInOrder(files: readonly FleetFile[]): FleetFile[] {
  return files.filter((f) => isFleetFilePath(f.path)).sort((a, b) => comparePaths(a.path, b.path));
}

/**
 * Loads a fleet repository from its files: parses every `*.yaml`/`*.yml` (other paths are ignored),
 * checks each document against its kind's schema and every rule of docs/fleet-repository.md
 * ("Validation"), and returns the typed desired state, or — when anything is wrong — every error
 * placed at `file:line:column`, sorted.
 * Pure: no I/O, no clock. Never throws on bad input and never returns both a state and errors.
 * The reference for `loadFleetFilesInParallel`, which gives the same result.
 */
export function loadFleetFiles(files: readonly FleetFile[], revision: string): LoadResult {
  const checked = withPlainEnvironment(() => fleetFilesInOrder(files).map(checkFleetFile));
  return assembleFleet(checked, revision);
}

/**
 * The second half of loading, once every file has been checked on its own (`checked` in path
 * order): the rules across documents, then the desired state or the sorted errors. Fills the
 * remaining defaults into the documents' values.
 */
export function assembleFleet(checked: readonly CheckedFile[], revision: string): LoadResult {
  const errors: LoadError[] = [];
  for (const file of checked) for (const error of file.errors) errors.push(error);
  const documents = checked.flatMap((file) => file.documents);
  for (const error of crossDocumentRules(documents)) errors.push(error);
  if (errors.length > 0) return { ok: false, errors: sortErrors(errors) };
  return { ok: true, state: buildDesiredState(documents, revision) };
}
