import { readFile } from 'node:fs/promises';
import type { ErrorObject } from 'ajv';
import { createAjv } from '../desired/ajv.js';
import { StateDocument } from './state-schema.js';

/** A State document, or why it is not one: each error is `JSON path: message`. */
export type StateReadResult = { ok: true; state: StateDocument } | { ok: false; errors: string[] };

const validate = createAjv({ useDefaults: false }).compile<StateDocument>(StateDocument);
const MAX_ERRORS = 20;

/**
 * Validates parsed JSON against the State document schema (schemas/state.schema.json). Errors name
 * the JSON path of the offending value, e.g. `/appliances/3/lastCheckinAt: must match pattern …`;
 * at most twenty are listed.
 */
export function parseStateDocument(value: unknown): StateReadResult {
  if (validate(value)) return { ok: true, state: value };
  const errors = (validate.errors ?? []).slice(0, MAX_ERRORS).map(formatError);
  return { ok: false, errors: [...new Set(errors)] };
}

/** Parses and validates the text of a State document. */
export function parseStateText(text: string): StateReadResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, errors: [`not JSON: ${err instanceof Error ? err.message : String(err)}`] };
  }
  return parseStateDocument(value);
}

/** Reads and validates a State document file; an unreadable file is an error like any other. */
export async function readStateFile(path: string): Promise<StateReadResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return { ok: false, errors: [`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`] };
  }
  return parseStateText(text);
}

function formatError(error: ErrorObject): string {
  const path = error.instancePath || '/';
  if (error.keyword === 'required') return `${path}: must have property ${JSON.stringify(error.params.missingProperty)}`;
  if (error.keyword === 'enum') return `${path}: must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  return `${path}: ${error.message ?? 'is invalid'}`;
}

/** An observed state with nothing in it: no appliance has checked in, no rollout has started. */
export function emptyState(now: Date): StateDocument {
  return {
    apiVersion: 'muster.dev/v1alpha1',
    kind: 'State',
    exportedAt: now.toISOString(),
    appliances: [],
    rollouts: [],
    proofs: { pending: [], anchored: 0, expired: 0, failed: 0 },
  };
}
