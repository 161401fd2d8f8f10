import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { FieldPath } from '../desired/positions.js';
import { documentStart, LineIndex, locateOffset } from '../desired/positions.js';
import type { SourceRef } from '../desired/types.js';

/** `spec.stages[1].percent` as path segments: `['spec', 'stages', 1, 'percent']`. */
export function parseFieldPath(field: string): FieldPath {
  const path: (string | number)[] = [];
  for (const m of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) path.push(m[2] !== undefined ? Number(m[2]) : (m[1] as string));
  return path;
}

/**
 * Where `field` of the object declared at `source` is written, in the fleet repository at
 * `repoDir`: the line and column of its value, so an annotation lands on the offending line. Falls
 * back to the object's own position when the file cannot be read or the field is not written
 * (a default). Each file is read and parsed once per `cache`.
 */
export function locateField(repoDir: string, source: SourceRef, field: string, cache: Map<string, FileDocs | null> = new Map()): SourceRef {
  let file = cache.get(source.file);
  if (file === undefined) {
    file = readDocs(join(repoDir, source.file));
    cache.set(source.file, file);
  }
  if (!file) return source;
  // The object's document is the last one that starts at or before its declaration.
  let found: FileDocs['docs'][number] | undefined;
  for (const d of file.docs) if (d.line <= source.line) found = d;
  if (!found) return source;
  const path = parseFieldPath(field);
  const at = file.lines.positionOf(locateOffset(found.doc, path, 'value'));
  return { file: source.file, line: at.line, column: at.column };
}

export interface FileDocs {
  lines: LineIndex;
  docs: { doc: ReturnType<typeof parseAllDocuments>[number]; line: number }[];
}

function readDocs(path: string): FileDocs | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return null;
  }
  const lines = new LineIndex(text);
  const parsed = parseAllDocuments(text);
  const list = Array.isArray(parsed) ? parsed : [];
  return { lines, docs: list.map((doc) => ({ doc, line: lines.positionOf(documentStart(doc)).line })) };
}
