import type { ErrorObject, ValidateFunction } from 'ajv';
import { createAjv } from './ajv.js';
import type { FieldPath, Placement } from './positions.js';
import { CLOCK_PATTERN, DURATION_PATTERN, NAME_PATTERN, SHA256_PATTERN, SIZE_PATTERN, LabelKey, LabelValue } from './schema/common.js';
import { documentSchema, type KindDefinition, type KindName } from './schema/kinds.js';
import { OtsPolicySpec } from './schema/ots-policy.js';
import { ReleaseSpec } from './schema/release.js';

/** A schema problem at a field, ready to be placed in the file. */
export interface FieldProblem {
  path: FieldPath;
  placement: Placement;
  message: string;
}

// Sizes put `pattern` and `minimum` beside an int-or-string `anyOf`, as Kubernetes wants them; ajv's strict
// type check would refuse that shape, so it is relaxed here (each keyword still applies to its own type).
const ajv = createAjv({ verbose: true, strictTypes: false });
const validators = new Map<KindName, ValidateFunction>();

function validatorFor(def: KindDefinition): ValidateFunction {
  let validate = validators.get(def.kind);
  if (!validate) {
    validate = ajv.compile(documentSchema(def));
    validators.set(def.kind, validate);
  }
  return validate;
}

const releaseProps = ReleaseSpec.properties;
/** What a value matching each pattern looks like, for people. */
const PATTERN_HINTS: ReadonlyMap<string, string> = new Map([
  [NAME_PATTERN, 'must be a DNS subdomain name such as clinic-a-01 or v1.0.51: lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit'],
  [DURATION_PATTERN, 'duration must look like 90s, 30m, 6h or 7d'],
  [SIZE_PATTERN, 'size must look like 512Mi, 2Gi or a byte count'],
  [SHA256_PATTERN, 'must be a sha256: 64 lowercase hex characters'],
  [CLOCK_PATTERN, 'time must be HH:MM, from 00:00 to 23:59'],
  [LabelValue.pattern as string, 'label value must be up to 63 letters, digits, `-`, `_` or `.`, starting and ending with a letter or digit'],
  [LabelKey.pattern as string, 'label key must be a name such as `site`, optionally prefixed by a DNS subdomain and `/` (example.com/ring)'],
  [releaseProps.version.pattern as string, 'must be a semantic version such as 1.0.51'],
  [releaseProps.image.properties.url.pattern as string, 'must be an https://, http:// or file:// URL'],
  [OtsPolicySpec.properties.calendars.items.pattern as string, 'must be an https:// URL'],
]);

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  null: 'empty',
};

/** `the number 1`, `a list`, `nothing`: what a value is, in YAML's words. */
export function describeFound(data: unknown): string {
  if (data === null || data === undefined) return 'an empty value';
  if (Array.isArray(data)) return 'a list';
  if (typeof data === 'object') return 'a mapping';
  if (typeof data === 'string') return `the string ${quote(data)}`;
  if (typeof data === 'number') return `the number ${data}`;
  return `${String(data)}`;
}

/** A value quoted for a message, cut short when long. */
export function quote(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return `\`${text.length > 60 ? `${text.slice(0, 57)}…` : text}\``;
}

function typeMessage(error: ErrorObject): string {
  const wanted = String(error.params.type)
    .split(',')
    .map((t) => TYPE_WORDS[t] ?? t)
    .join(' or ');
  const data = error.data;
  const hint = error.params.type === 'string' && (typeof data === 'number' || typeof data === 'boolean') ? '; put it in quotes' : '';
  return `must be ${wanted} (found ${describeFound(data)}${hint})`;
}

function unknownFieldMessage(error: ErrorObject): string {
  const field = String(error.params.additionalProperty);
  const allowed = Object.keys((error.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {});
  const near = allowed.find((name) => isNearMiss(field, name));
  if (near) return `unknown field \`${field}\` (did you mean \`${near}\`?)`;
  return allowed.length ? `unknown field \`${field}\`; allowed here: ${allowed.join(', ')}` : `unknown field \`${field}\``;
}

function patternMessage(error: ErrorObject): string {
  const hint = PATTERN_HINTS.get(String(error.params.pattern)) ?? `must match ${String(error.params.pattern)}`;
  const data = error.data;
  if (String(error.params.pattern) === SHA256_PATTERN && typeof data === 'string' && data.length !== 64) {
    return `${hint} (found ${data.length} characters)`;
  }
  return `${hint} (found ${quote(data)})`;
}

/** One ajv error as a sentence a person can act on, with where it belongs. */
function describe(error: ErrorObject, path: FieldPath): FieldProblem {
  const at = (message: string, placement: Placement = 'value', where: FieldPath = path): FieldProblem => ({ path: where, placement, message });
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return at(`missing required field \`${String(p.missingProperty)}\``, 'parent', [...path, String(p.missingProperty)]);
    case 'additionalProperties':
      return at(unknownFieldMessage(error), 'key', [...path, String(p.additionalProperty)]);
    case 'type':
      return at(typeMessage(error));
    case 'enum': {
      const values = (p.allowedValues as unknown[]).map(String);
      return at(values.length === 1 ? `must be ${values[0]} (found ${quote(error.data)})` : `must be one of ${values.join(', ')} (found ${quote(error.data)})`);
    }
    case 'pattern':
      return at(patternMessage(error));
    case 'minimum':
      return at(`must be at least ${String(p.limit)} (found ${String(error.data)})`);
    case 'maximum':
      return at(`must be at most ${String(p.limit)} (found ${String(error.data)})`);
    case 'minItems': {
      const field = path[path.length - 1];
      if (field === 'stages') return at('a rollout needs at least one stage');
      if (field === 'calendars') return at('list at least one calendar');
      return at(`must list at least ${String(p.limit)} item${p.limit === 1 ? '' : 's'}`);
    }
    case 'minLength':
      return at('must not be empty');
    case 'maxLength':
      return at(`must be at most ${String(p.limit)} characters (found ${String((error.data as string).length)})`);
    case 'anyOf':
      // The only anyOf in the schemas is a size: a byte count or a quantity string.
      return at(`size must look like 512Mi, 2Gi or a byte count (found ${describeFound(error.data)})`);
    default:
      return at(error.message ?? `fails ${error.keyword}`);
  }
}

// When two errors fall on one value, the first of these keywords says the most.
const KEYWORD_RANK = ['type', 'anyOf', 'enum', 'minLength', 'pattern', 'minimum', 'maximum', 'maxLength', 'minItems'];
function rank(keyword: string): number {
  const i = KEYWORD_RANK.indexOf(keyword);
  return i === -1 ? KEYWORD_RANK.length : i;
}

/** The instance path as keys and indexes, reading the data so array indexes become numbers. */
function toFieldPath(instancePath: string, data: unknown): FieldPath {
  if (!instancePath) return [];
  const path: (string | number)[] = [];
  let current: unknown = data;
  for (const raw of instancePath.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(current)) {
      path.push(Number(segment));
      current = current[Number(segment)];
    } else {
      path.push(segment);
      current = current !== null && typeof current === 'object' ? (current as Record<string, unknown>)[segment] : undefined;
    }
  }
  return path;
}

/**
 * Checks a document against its kind's schema, filling schema defaults into `value` in place, and
 * returns one problem per wrong, missing or unknown field (ajv's echoes of one mistake collapsed).
 * `apiVersion` and `kind` are left to the caller, which checks them first.
 */
export function schemaProblems(def: KindDefinition, value: unknown): FieldProblem[] {
  const validate = validatorFor(def);
  if (validate(value)) return [];
  // apiVersion and kind were checked (and reported) before the schema.
  const identity = (e: ErrorObject) =>
    e.instancePath === '/apiVersion' || e.instancePath === '/kind' || (e.keyword === 'required' && e.instancePath === '' && ['apiVersion', 'kind'].includes(String(e.params.missingProperty)));
  const errors = (validate.errors ?? []).filter((e) => !identity(e));
  // A size is "integer or string": report the anyOf once, not each branch it tried.
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf');
  const kept = errors.filter((e) => !anyOfs.some((a) => a !== e && a.instancePath === e.instancePath && e.schemaPath.startsWith(`${a.schemaPath.replace(/\/anyOf$/, '')}/`)));
  const byValue = new Map<string, { rank: number; problem: FieldProblem }>();
  const problems: FieldProblem[] = [];
  for (const error of kept) {
    const problem = describe(error, toFieldPath(error.instancePath, value));
    if (problem.placement !== 'value') {
      problems.push(problem);
      continue;
    }
    const key = error.instancePath;
    const previous = byValue.get(key);
    if (!previous || rank(error.keyword) < previous.rank) byValue.set(key, { rank: rank(error.keyword), problem });
  }
  const seen = new Set<string>();
  return [...withoutMisspeltRequired(problems), ...[...byValue.values()].map((v) => v.problem)].filter((p) => {
    const key = `${p.path.join('\u0000')}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Whether `written` looks like a misspelling of `meant`. */
export function isNearMiss(written: string, meant: string): boolean {
  return written !== meant && editDistance(written.toLowerCase(), meant.toLowerCase()) <= Math.max(1, Math.floor(meant.length / 3));
}

/**
 * A misspelt field is one problem, not two: when an unknown field is a near miss of a missing
 * required one beside it, only the unknown field is reported (its message suggests the right name).
 */
function withoutMisspeltRequired(problems: FieldProblem[]): FieldProblem[] {
  const parentOf = (p: FieldProblem) => p.path.slice(0, -1).join('\u0000');
  const unknown = problems.filter((p) => p.placement === 'key' && p.message.startsWith('unknown field'));
  return problems.filter((p) => {
    if (p.placement !== 'parent') return true;
    const missing = String(p.path[p.path.length - 1]);
    return !unknown.some((u) => parentOf(u) === parentOf(p) && isNearMiss(String(u.path[u.path.length - 1]), missing));
  });
}

/** Levenshtein distance, for "did you mean" on misspelt field names. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + cost));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
