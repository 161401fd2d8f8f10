import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export function sha256Hex(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The hash an agent reports once it applied a retention policy: sha256 of the compact, key-sorted
 * JSON of `{keepUnresolved, pruneEverySeconds, retainDays, vacuum}` (docs/protocol.md, "The retention
 * policy hash"); the agent checks the hash it is handed with this function too.
 */
export function retentionPolicyHash(policy: { keepUnresolved: boolean; pruneEverySeconds: number; retainDays: number; vacuum: boolean }): string {
  const { keepUnresolved, pruneEverySeconds, retainDays, vacuum } = policy;
  return sha256Hex(canonicalJson({ keepUnresolved, pruneEverySeconds, retainDays, vacuum }));
}
