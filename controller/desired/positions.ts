import { isAlias, isCollection, isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair } from 'yaml';

/** A field path: object keys and array indexes, from the document root. */
export type FieldPath = readonly (string | number)[];

/** A 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

/**
 * Where an error about a field is placed (docs/fleet-repository.md, "How errors read"): `value` at the wrong value (a block
 * mapping or list is pointed at by its key, where a person looks), `key` at the field's own key (an
 * unknown field), `parent` at the key of the field's parent (a missing field).
 */
export type Placement = 'value' | 'key' | 'parent';

/** `spec.stages[2].percent`; keys that are not plain identifiers are quoted: `metadata.labels["a/b"]`. */
export function formatPath(path: FieldPath): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(segment)) text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

/** A step down the tree: the node reached and, for a mapping entry, the pair that holds it. */
interface Step {
  node: Node | null;
  pair: Pair | null;
}

/** The pair of `map` whose key reads as `key` (YAML keys are compared as the strings JSON would use). */
function findPair(map: Node, key: string): Pair | null {
  if (!isMap(map)) return null;
  for (const item of map.items) {
    const k = item.key;
    if (isScalar(k) ? String(k.value) === key : k === key) return item as Pair;
  }
  return null;
}

function deref(node: Node | null, doc: Document): Node | null {
  if (node && isAlias(node)) return (node.resolve(doc) as Node | undefined) ?? null;
  return node;
}

/**
 * The steps from the root along `path`, as far as the document has them: entry i is the node at
 * `path.slice(0, i)`; the walk stops at the first segment the document does not hold.
 */
function walk(doc: Document, path: FieldPath): Step[] {
  const steps: Step[] = [{ node: deref((doc.contents as Node | null) ?? null, doc), pair: null }];
  for (const segment of path) {
    const current = (steps[steps.length - 1] as Step).node;
    if (!current) break;
    if (typeof segment === 'number' && isSeq(current)) {
      const item = current.items[segment] as Node | undefined;
      if (item === undefined) break;
      steps.push({ node: deref(item, doc), pair: null });
    } else {
      const pair = findPair(current, String(segment));
      if (!pair) break;
      steps.push({ node: deref((pair.value as Node | null) ?? null, doc), pair });
    }
  }
  return steps;
}

function startOf(node: { range?: readonly number[] | null } | null | undefined): number | null {
  return node?.range ? (node.range[0] as number) : null;
}

/** Where a step is shown: its key when it has one and the value is a block collection or absent. */
function stepOffset(step: Step, preferKey: boolean): number | null {
  const keyStart = startOf(step.pair?.key as Node | null | undefined);
  const valueStart = startOf(step.node);
  const blockValue = step.node !== null && isCollection(step.node) && !step.node.flow;
  // `spec:` with nothing after it: the empty value sits after the colon, the key is what a person sees.
  const emptyValue = step.node !== null && isScalar(step.node) && step.node.range !== undefined && step.node.range?.[0] === step.node.range?.[1];
  if (keyStart !== null && (preferKey || blockValue || emptyValue || valueStart === null)) return keyStart;
  return valueStart ?? keyStart;
}

/** The offset of the document's first content, for errors about the whole document. */
export function documentStart(doc: Document): number {
  return startOf(doc.contents as Node | null) ?? (doc.range?.[0] as number | undefined) ?? 0;
}

/** The character offset an error about `path` is placed at, following `placement`. */
export function locateOffset(doc: Document, path: FieldPath, placement: Placement): number {
  const target = placement === 'parent' ? path.slice(0, -1) : path;
  const steps = walk(doc, target);
  const found = steps.length === target.length + 1;
  const last = steps[steps.length - 1] as Step;
  // A missing field is shown at its parent's key; so is anything whose node the document lacks.
  const preferKey = placement !== 'value' || !found;
  if (steps.length === 1) return documentStart(doc);
  return stepOffset(last, preferKey) ?? documentStart(doc);
}

/**
 * Where each line of a file starts. Computed from the text itself rather than by the YAML lexer,
 * whose count goes astray after some syntax errors: positions must stay right exactly then.
 */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  /** The 1-based line and column of a character offset. */
  positionOf(offset: number): Position {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.starts[mid] as number) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - (this.starts[low] as number) + 1 };
  }
}

/**
 * The path of the mapping key or value that starts at `offset` (a duplicate key, for instance);
 * empty when no node starts there.
 */
export function pathAtOffset(doc: Document, offset: number): FieldPath {
  const search = (node: Node | null, path: (string | number)[]): (string | number)[] | null => {
    if (!node || !node.range) return null;
    if (offset < (node.range[0] as number) || offset > (node.range[2] as number)) return null;
    if (isMap(node)) {
      for (const item of node.items) {
        if (!isPair(item)) continue;
        const key = item.key as Node | null;
        const name = isScalar(key) ? String(key.value) : '';
        if (startOf(key) === offset) return [...path, name];
        const inner = search((item.value as Node | null) ?? null, [...path, name]);
        if (inner) return inner;
      }
    } else if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) {
        const inner = search(node.items[i] as Node, [...path, i]);
        if (inner) return inner;
      }
    }
    return startOf(node) === offset ? path : null;
  };
  return search((doc.contents as Node | null) ?? null, []) ?? [];
}
