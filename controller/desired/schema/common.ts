import { Type, type Static, type TSchema } from '@sinclair/typebox';

/** A Kubernetes DNS subdomain (RFC 1123): so `v1.0.51` and `clinic-a-01` are names. */
export const NAME_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
/** `90s`, `30m`, `6h`, `7d`, or compounds such as `1h30m`. */
export const DURATION_PATTERN = '^([0-9]+(ms|s|m|h|d|w))+$';
/** A byte count with an optional binary or decimal suffix: `512Mi`, `2Gi`, `500M`, `1048576`. */
export const SIZE_PATTERN = '^[0-9]+(Ki|Mi|Gi|Ti|k|K|M|G|T)?$';
export const SHA256_PATTERN = '^[0-9a-f]{64}$';
export const CLOCK_PATTERN = '^([01][0-9]|2[0-3]):[0-5][0-9]$';
const LABEL_KEY_PATTERN = '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$';
const LABEL_VALUE_PATTERN = '^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$';

export const Name = (description: string) =>
  Type.String({ pattern: NAME_PATTERN, minLength: 1, maxLength: 253, description });

export const Duration = (description: string, defaultValue?: string) =>
  Type.String({ pattern: DURATION_PATTERN, description, ...(defaultValue ? { default: defaultValue } : {}) });

/** Kubernetes' int-or-string: bytes as a number, or a quantity such as `2Gi`. */
export const Size = (description: string) =>
  Type.Unsafe<string | number>({
    'x-kubernetes-int-or-string': true,
    anyOf: [{ type: 'integer' }, { type: 'string' }],
    pattern: SIZE_PATTERN,
    minimum: 0,
    description,
  });

/** A closed set of strings, as `enum` (the shape both ajv and Kubernetes' structural schemas accept). */
export function StringEnum<const T extends readonly string[]>(values: T, options: { description?: string; default?: T[number] } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}

/** A string-keyed map, as `additionalProperties` (Kubernetes rejects `patternProperties`). */
export function StringMap<T extends TSchema>(value: T, description?: string) {
  return Type.Unsafe<Record<string, Static<T>>>({ type: 'object', additionalProperties: value, ...(description ? { description } : {}) });
}

export const LabelValue = Type.String({ pattern: LABEL_VALUE_PATTERN, maxLength: 63 });
export const LabelKey = Type.String({ pattern: LABEL_KEY_PATTERN, maxLength: 317 });

export const Labels = StringMap(LabelValue, 'Labels that selectors match: site, client, ring, hardware…');

export const LabelSelectorRequirement = Type.Object(
  {
    key: LabelKey,
    operator: StringEnum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
    values: Type.Optional(Type.Array(LabelValue)),
  },
  { additionalProperties: false },
);

/** A Kubernetes label selector; absent or empty selects every declared appliance. */
export const LabelSelector = Type.Object(
  {
    matchLabels: Type.Optional(StringMap(LabelValue)),
    matchExpressions: Type.Optional(Type.Array(LabelSelectorRequirement)),
  },
  { additionalProperties: false, description: 'Which appliances this applies to (Kubernetes label selector); absent selects all' },
);

/** An object with closed properties: unknown fields are errors, as `kubectl --validate=strict` would say. */
export function Strict<T extends Parameters<typeof Type.Object>[0]>(properties: T, description?: string) {
  return Type.Object(properties, { additionalProperties: false, ...(description ? { description } : {}) });
}
