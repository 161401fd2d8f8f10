import { LineCounter, parseAllDocuments, type Document, type YAMLError } from 'yaml';
import type { FieldPath, Placement } from './positions.js';
import { documentStart, pathAtOffset } from './positions.js';

/** One file of a fleet repository: its path relative to the repository root, `/`-separated. */
export interface FleetFile {
  path: string;
  content: string;
}

/** One YAML document of a file, with what is needed to place errors in it. */
export interface ParsedDocument {
  file: string;
  /** 0-based position of the document in its file. */
  index: number;
  doc: Document;
  lineCounter: LineCounter;
  /** The document as plain data; undefined when it could not be turned into data. */
  value: unknown;
  /** Whether the YAML itself was sound; schema and semantic checks only look at sound documents. */
  sound: boolean;
}

/** A problem found in a document, before it is given a line and column. */
export interface Issue {
  document: ParsedDocument;
  path: FieldPath;
  placement: Placement;
  message: string;
  /** An exact offset, when the problem is not about a field (YAML syntax). */
  offset?: number;
}

export interface ParsedFile {
  documents: ParsedDocument[];
  issues: Issue[];
}

// Past this many alias expansions a document is rejected rather than expanded (a "billion laughs" file).
const MAX_ALIAS_COUNT = 1000;

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** A YAML error as a sentence a person can act on. */
function describeYamlError(error: YAMLError, content: string): string {
  switch (error.code) {
    case 'DUPLICATE_KEY': {
      const key = content.slice(error.pos[0], error.pos[1]).trim() || content.slice(error.pos[0]).split(/[:\n]/)[0]?.trim();
      return `duplicate key \`${key}\`: a key may appear only once in a mapping`;
    }
    case 'TAB_AS_INDENT':
      return 'tabs are not allowed for indentation; indent with spaces';
    default:
      return `YAML syntax error: ${lowerFirst(error.message)}`;
  }
}

/**
 * Which of a document's YAML errors to report: every duplicate key and tab (each is its own
 * problem), but only the first other syntax error, since what follows it is usually its echo.
 */
function reportedErrors(errors: readonly YAMLError[]): YAMLError[] {
  const chosen: YAMLError[] = [];
  let syntaxSeen = false;
  for (const error of errors) {
    const own = error.code === 'DUPLICATE_KEY' || error.code === 'TAB_AS_INDENT';
    if (!own && syntaxSeen) continue;
    if (!own) syntaxSeen = true;
    chosen.push(error);
  }
  return chosen;
}

/** Whether a document holds nothing but comments or blank lines (a trailing `---`, for instance). */
function isEmptyDocument(doc: Document): boolean {
  return doc.contents === null && doc.errors.length === 0;
}

/**
 * Splits a file into its YAML documents, keeping positions. Syntax errors, tabs and duplicate keys
 * become issues at their position; the documents they occur in are marked unsound. Never throws.
 */
export function parseFleetFile(file: FleetFile): ParsedFile {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(file.content, { lineCounter, prettyErrors: false, logLevel: 'silent', uniqueKeys: true });
  const docs = Array.isArray(parsed) ? parsed : [];
  // The documents and errors of an empty stream (only comments) carry nothing to check.
  const documents: ParsedDocument[] = [];
  const issues: Issue[] = [];
  docs.forEach((doc, index) => {
    if (isEmptyDocument(doc)) return;
    const document: ParsedDocument = { file: file.path, index, doc, lineCounter, value: undefined, sound: doc.errors.length === 0 };
    for (const error of reportedErrors(doc.errors)) {
      const path = error.code === 'DUPLICATE_KEY' ? pathAtOffset(doc, error.pos[0]) : [];
      issues.push({ document, path, placement: 'value', message: describeYamlError(error, file.content), offset: error.pos[0] });
    }
    try {
      document.value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      // An alias to an anchor not yet defined, or too many alias expansions.
      document.sound = false;
      const reason = err instanceof Error ? lowerFirst(err.message) : 'cannot be read';
      issues.push({ document, path: [], placement: 'value', message: `YAML error: ${reason}`, offset: documentStart(doc) });
    }
    documents.push(document);
  });
  return { documents, issues };
}
