import type { ErrorObject } from 'ajv';
import { createAjv } from '../desired/ajv.js';
import { CheckinRequest } from '../observed/state-schema.js';

const validate = createAjv({ useDefaults: false }).compile<CheckinRequest>(CheckinRequest);

/** Problems with a check-in body, one sentence each naming the JSON path; empty when the body is valid. */
export function checkinProblems(body: unknown): string[] {
  if (validate(body)) return [];
  return (validate.errors ?? []).filter(notNoise).map(describe);
}

// anyOf branches (a value or null) repeat the real problem; keep the branch that says most.
function notNoise(e: ErrorObject): boolean {
  return e.keyword !== 'anyOf' && !(e.keyword === 'type' && e.params.type === 'null');
}

function describe(e: ErrorObject): string {
  const at = e.instancePath || '/';
  if (e.keyword === 'required') return `${at}: missing field \`${String(e.params.missingProperty)}\``;
  if (e.keyword === 'enum') return `${at}: must be one of ${(e.params.allowedValues as unknown[]).join(', ')}`;
  return `${at}: ${e.message ?? 'is invalid'}`;
}
