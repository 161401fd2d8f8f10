import { canonicalJson } from '../desired/canonical.js';
import { KINDS } from '../desired/schema/kinds.js';
import type { DesiredObject } from '../desired/types.js';

/**
 * One difference between the base and the head desired state. `field` is a path such as
 * `spec.stages[1].percent` or `metadata.labels.ring`; it is null when the whole object was added
 * (`from` null) or removed (`to` null).
 */
export interface Change {
  kind: string;
  name: string;
  field: string | null;
  from: unknown;
  to: unknown;
}

const KIND_ORDER = new Map<string, number>(KINDS.map((k, i) => [k.kind, i]));

/**
 * What the head changes, object by object and field by field: added and removed objects whole,
 * changed ones per leaf field (lists of plain values compare whole, lists of objects per item).
 * Sorted by kind (in the order of KINDS), name, then field.
 */
export function diffObjects(base: readonly DesiredObject[], head: readonly DesiredObject[]): Change[] {
  const before = byKey(base);
  const after = byKey(head);
  const changes: Change[] = [];
  for (const [key, object] of after) {
    const old = before.get(key);
    if (!old) changes.push({ kind: object.kind, name: object.name, field: null, from: null, to: body(object) });
    else changes.push(...diffValues(object.kind, object.name, '', body(old), body(object)));
  }
  for (const [key, object] of before) {
    if (!after.has(key)) changes.push({ kind: object.kind, name: object.name, field: null, from: body(object), to: null });
  }
  return changes.sort(
    (a, b) =>
      (KIND_ORDER.get(a.kind) ?? 99) - (KIND_ORDER.get(b.kind) ?? 99) ||
      compare(a.name, b.name) ||
      compare(a.field ?? '', b.field ?? ''),
  );
}

function byKey(objects: readonly DesiredObject[]): Map<string, DesiredObject> {
  return new Map(objects.map((o) => [`${o.kind}/${o.name}`, o]));
}

// What a reviewer sees of an object: its labels when it has any, and its spec.
function body(o: DesiredObject): Record<string, unknown> {
  const labels = Object.keys(o.labels).length ? { metadata: { labels: o.labels } } : {};
  return o.spec ? { ...labels, spec: o.spec } : labels;
}

function diffValues(kind: string, name: string, path: string, from: unknown, to: unknown): Change[] {
  if (canonicalJson(from) === canonicalJson(to)) return [];
  if (isRecord(from) && isRecord(to)) {
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
    return keys.flatMap((k) => diffValues(kind, name, join(path, k), from[k] ?? null, to[k] ?? null));
  }
  if (Array.isArray(from) && Array.isArray(to) && [...from, ...to].some(isRecord)) {
    const length = Math.max(from.length, to.length);
    return Array.from({ length }, (_, i) => diffValues(kind, name, `${path}[${i}]`, from[i] ?? null, to[i] ?? null)).flat();
  }
  return [{ kind, name, field: path, from, to }];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function join(path: string, key: string): string {
  const segment = /^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key) ? key : JSON.stringify(key);
  if (!path) return segment;
  return /^[A-Za-z_$]/.test(segment) ? `${path}.${segment}` : `${path}[${segment}]`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
