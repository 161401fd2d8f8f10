import type { Issue, ParsedDocument } from './parse-documents.js';
import type { FieldPath, Placement } from './positions.js';
import { dropNullsThatMeanAbsent } from './null-as-absent.js';
import { isNearMiss, quote, schemaProblems } from './schema-errors.js';
import { API_GROUP_VERSION, KINDS, KIND_BY_NAME, type KindDefinition } from './schema/kinds.js';

/** A document whose kind is known: the unit semantic checks and the state builder work on. */
export interface CheckedDocument {
  document: ParsedDocument;
  def: KindDefinition;
  /** `metadata.name` when it is a string, even if the schema rejects it. */
  name: string | null;
  /** The document as data, schema defaults filled in. */
  value: Record<string, unknown>;
  /** Whether it passed its kind's schema, so its fields have the schema's types. */
  valid: boolean;
}

/** An issue about a field of a document. */
export function issueAt(document: ParsedDocument, path: FieldPath, message: string, placement: Placement = 'value'): Issue {
  return { document, path, placement, message };
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

const KIND_LIST = KINDS.map((k) => k.kind).join(', ');

/**
 * Recognises a sound document's apiVersion and kind and checks it against its kind's schema.
 * Returns the document (null when its kind is unknown or it is not a mapping) and its issues.
 */
export function checkDocument(document: ParsedDocument): { checked: CheckedDocument | null; issues: Issue[] } {
  const value = document.value;
  if (!isMapping(value)) {
    const message = 'a document must be a mapping with apiVersion, kind, metadata and spec';
    return { checked: null, issues: [issueAt(document, [], message)] };
  }
  const issues: Issue[] = [];
  const misspelt = (field: string) => Object.keys(value).find((key) => isNearMiss(key, field));
  if (!('apiVersion' in value)) {
    // A misspelt apiVersion is reported by the schema as an unknown field with a suggestion.
    if (!misspelt('apiVersion')) issues.push(issueAt(document, ['apiVersion'], `missing required field \`apiVersion\` (${API_GROUP_VERSION})`, 'parent'));
  } else if (value.apiVersion !== API_GROUP_VERSION) {
    issues.push(issueAt(document, ['apiVersion'], `unknown apiVersion ${quote(value.apiVersion)}; Muster reads ${API_GROUP_VERSION}`));
  }
  if (!('kind' in value)) {
    const near = misspelt('kind');
    issues.push(
      near
        ? issueAt(document, [near], `unknown field \`${near}\` (did you mean \`kind\`?)`, 'key')
        : issueAt(document, ['kind'], `missing required field \`kind\` (one of ${KIND_LIST})`, 'parent'),
    );
    return { checked: null, issues };
  }
  const def = typeof value.kind === 'string' ? KIND_BY_NAME.get(value.kind) : undefined;
  if (!def) {
    issues.push(issueAt(document, ['kind'], `unknown kind ${quote(value.kind)}; expected one of ${KIND_LIST}`));
    return { checked: null, issues };
  }
  dropNullsThatMeanAbsent(value);
  for (const problem of schemaProblems(def, value)) issues.push(issueAt(document, problem.path, problem.message, problem.placement));
  const metadata = value.metadata;
  const name = isMapping(metadata) && typeof metadata.name === 'string' ? metadata.name : null;
  return { checked: { document, def, name, value, valid: issues.length === 0 }, issues };
}

/**
 * What a document with broken YAML still tells: its kind and name, when they can be read, so a
 * Rollout naming its Release is not reported as dangling on top of the YAML error. Never valid.
 */
export function identifyUnsound(document: ParsedDocument): CheckedDocument | null {
  const value = document.value;
  if (!isMapping(value) || typeof value.kind !== 'string') return null;
  const def = KIND_BY_NAME.get(value.kind);
  const metadata = value.metadata;
  const name = isMapping(metadata) && typeof metadata.name === 'string' ? metadata.name : null;
  return def ? { document, def, name, value, valid: false } : null;
}
