import { checkDocument, identifyUnsound, type CheckedDocument } from './checked-document.js';
import { parseFleetDocuments, type FleetFile, type Issue, type ParsedDocument } from './parse-documents.js';
import { formatPath, locateOffset, type FieldPath, type Position } from './positions.js';
import type { KindName } from './schema/kinds.js';
import { documentRules } from './semantic-checks.js';
import type { LoadError } from './types.js';

/**
 * A document once its file has been checked, without its syntax tree: what the checks across
 * documents and the state builder read. Plain data, so it can cross from a worker thread as it is.
 */
export interface LoadedDocument {
  file: string;
  kind: KindName;
  /** `metadata.name` when it is a string, even if the schema rejects it. */
  name: string | null;
  /** The document as data, schema defaults filled in. */
  value: Record<string, unknown>;
  /** Whether it passed its kind's schema, so its fields have the schema's types. */
  valid: boolean;
  /** Whether its YAML was sound (a document with broken YAML can still name its kind and name). */
  sound: boolean;
  /** Where the fields that the checks across documents report on are. */
  at: DocumentPlaces;
}

/** Positions placed as errors about these fields are placed (`value` placement). */
export interface DocumentPlaces {
  /** The document itself: where a desired object comes from. */
  start: Position;
  /** `metadata.name`: duplicate names and singletons. */
  name: Position;
  /** `spec.release` of a Rollout: a Release that is not declared. */
  release: Position | null;
  /** `spec.selector` of a RetentionPolicy: policies that overlap. */
  selector: Position | null;
}

/** One file after the checks that need nothing but the file: its documents and its errors, placed. */
export interface CheckedFile {
  documents: LoadedDocument[];
  errors: LoadError[];
}

/** An issue placed at its line and column, while the syntax tree of its file is at hand. */
export function toLoadError(issue: Issue): LoadError {
  const { document } = issue;
  const offset = issue.offset ?? locateOffset(document.doc, issue.path, issue.placement);
  const { line, column } = document.lines.positionOf(offset);
  return { file: document.file, line, column, path: formatPath(issue.path), message: issue.message };
}

function place(document: ParsedDocument, path: FieldPath): Position {
  return document.lines.positionOf(locateOffset(document.doc, path, 'value'));
}

function loaded(checked: CheckedDocument): LoadedDocument {
  const { document, def } = checked;
  return {
    file: document.file,
    kind: def.kind,
    name: checked.name,
    value: checked.value,
    valid: checked.valid,
    sound: document.sound,
    at: {
      start: place(document, []),
      name: place(document, ['metadata', 'name']),
      release: def.kind === 'Rollout' ? place(document, ['spec', 'release']) : null,
      selector: def.kind === 'RetentionPolicy' ? place(document, ['spec', 'selector']) : null,
    },
  };
}

/**
 * Everything that one file alone decides: its YAML parsed, each document's apiVersion, kind and
 * schema checked (defaults filled in), the rules of a single document applied, and every problem
 * placed at `line:column`. Documents are parsed and checked one at a time, and each one's syntax
 * tree is let go once its problems are placed. Pure; never throws on bad input. Files are
 * independent of each other here, so they can be checked in any order or thread.
 */
export function checkFleetFile(file: FleetFile): CheckedFile {
  const documents: LoadedDocument[] = [];
  const errors: LoadError[] = [];
  for (const { document, issues } of parseFleetDocuments(file)) {
    const checked = checkParsed(document, issues);
    for (const issue of issues) errors.push(toLoadError(issue));
    if (checked) documents.push(loaded(checked));
  }
  return { documents, errors };
}

/** One document checked, its problems added to `issues`; null when it cannot even be identified. */
function checkParsed(document: ParsedDocument, issues: Issue[]): CheckedDocument | null {
  let checked: CheckedDocument | null;
  if (document.sound) {
    const result = checkDocument(document);
    for (const issue of result.issues) issues.push(issue);
    checked = result.checked;
  } else {
    checked = identifyUnsound(document);
  }
  if (checked?.valid) for (const issue of documentRules(checked)) issues.push(issue);
  return checked;
}
