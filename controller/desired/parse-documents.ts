import { Composer, isScalar, Parser, visit, type Document, type YAMLError } from 'yaml';
import type { FieldPath, Placement } from './positions.js';
import { documentStart, LineIndex, locateOffset, pathAtOffset } from './positions.js';

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
  lines: LineIndex;
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

// Past this many alias expansions a document is rejected rather than expanded (a "billion laughs" file).
const MAX_ALIAS_COUNT = 1000;

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** A YAML error as an issue: a sentence a person can act on, at the place to look. */
function yamlIssue(document: ParsedDocument, error: YAMLError, content: string): Issue {
  const { doc } = document;
  const at = (message: string, offset: number, path: FieldPath = []): Issue => ({ document, path, placement: 'value', message, offset });
  switch (error.code) {
    case 'DUPLICATE_KEY': {
      const path = pathAtOffset(doc, error.pos[0]);
      const key = path.length ? String(path[path.length - 1]) : (content.slice(error.pos[0]).split(/[:\n]/)[0] ?? '').trim();
      const first = document.lines.positionOf(locateOffset(doc, path, 'key')).line;
      const where = path.length && first !== document.lines.positionOf(error.pos[0]).line ? ` (first on line ${first})` : '';
      return at(`duplicate key \`${key}\`${where}: a key may appear only once in a mapping`, error.pos[0], path);
    }
    case 'TAB_AS_INDENT':
      return at('tabs are not allowed for indentation; indent with spaces', error.pos[0]);
    case 'BLOCK_AS_IMPLICIT_KEY':
      return at(`YAML syntax error: ${lowerFirst(error.message)} (quote a value that contains \`: \`, or check the indentation of the next line)`, error.pos[0]);
    case 'MISSING_CHAR': {
      // An unclosed quote is reported where the file ends; the opening quote is what needs fixing.
      const quote = /closing "/.test(error.message) ? '"' : /closing '/.test(error.message) ? "'" : null;
      const opening = quote ? content.lastIndexOf(quote, error.pos[0] - 1) : -1;
      const message = quote ? `YAML syntax error: this ${quote === '"' ? 'double' : 'single'} quote is never closed` : `YAML syntax error: ${lowerFirst(error.message)}`;
      return at(message, opening >= 0 ? opening : error.pos[0]);
    }
    default:
      return at(`YAML syntax error: ${lowerFirst(error.message)}`, error.pos[0]);
  }
}

/** Where the first alias that names no earlier anchor is, so an unresolved alias is shown there. */
function unresolvedAliasOffset(doc: Document): number {
  let offset: number | null = null;
  visit(doc, {
    Alias(_key, node) {
      if (node.resolve(doc) === undefined && node.range) {
        offset = node.range[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return offset ?? documentStart(doc);
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
  const contents = doc.contents;
  if (doc.errors.length > 0) return false;
  if (contents === null) return true;
  // An implicit empty value (no `~`, no `null`) has a zero-length range.
  return isScalar(contents) && contents.value === null && contents.range?.[0] === contents.range?.[1];
}

/**
 * Runs `parse` with `process.env` replaced by a plain copy, restored before anything else runs.
 * The yaml parser reads `process.env.LOG_TOKENS` for every token, and Node's `process.env` is a
 * native interceptor: about a third of the parse time on a large repository. `parse` must be
 * synchronous, so nothing else can observe the copy.
 */
export function withPlainEnvironment<T>(parse: () => T): T {
  const real = process.env;
  process.env = { ...real };
  try {
    return parse();
  } finally {
    process.env = real;
  }
}

/** One document of a file as parsed, with the problems its YAML has. */
export interface ParsedFileDocument {
  document: ParsedDocument;
  issues: Issue[];
}

/**
 * A file's YAML documents one at a time, keeping positions. Syntax errors, tabs and duplicate keys
 * become issues at their position; the documents they occur in are marked unsound. The next
 * document is parsed only when asked for, so a caller that is done with a document's syntax tree
 * before asking lets it go: a file of 100,000 appliances parsed whole held about 450 MB of trees.
 * Never throws.
 */
export function* parseFleetDocuments(file: FleetFile): Generator<ParsedFileDocument, void, undefined> {
  const lines = new LineIndex(file.content);
  // What parseAllDocuments does, one document at a time.
  const composer = new Composer({ prettyErrors: false, logLevel: 'silent', uniqueKeys: true });
  let index = 0;
  for (const doc of composer.compose(new Parser().parse(file.content))) {
    const at = index++;
    // The documents of an empty stream (only comments) carry nothing to check.
    if (!isEmptyDocument(doc)) yield parsedDocument(file, doc, at, lines);
  }
}

function parsedDocument(file: FleetFile, doc: Document, index: number, lines: LineIndex): ParsedFileDocument {
  const document: ParsedDocument = { file: file.path, index, doc, lines, value: undefined, sound: doc.errors.length === 0 };
  const issues = reportedErrors(doc.errors).map((error) => yamlIssue(document, error, file.content));
  try {
    document.value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    // An alias to an anchor not yet defined, or too many alias expansions.
    document.sound = false;
    const reason = err instanceof Error ? lowerFirst(err.message) : 'cannot be read';
    issues.push({ document, path: [], placement: 'value', message: `YAML error: ${reason}`, offset: unresolvedAliasOffset(doc) });
  }
  return { document, issues };
}
