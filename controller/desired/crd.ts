import { stringify } from 'yaml';
import { API_GROUP, API_VERSION, KINDS, type KindDefinition } from './schema/kinds.js';
import { KIND_STATUS } from './schema/rollout-status.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Rewrites a JSON Schema into Kubernetes' structural form: `additionalProperties: false` is dropped
 * beside `properties` (the API server prunes unknown fields instead; ajv still rejects them), and
 * TypeBox's symbol keys vanish through the JSON round trip.
 */
function structural(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(structural);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: { [key: string]: Json } = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'additionalProperties' && value === false && 'properties' in schema) continue;
    if (key === '$id') continue;
    out[key] = structural(value);
  }
  return out;
}

/** The openAPIV3Schema of one kind, as committed in `crds/`. */
export function crdSchema(def: KindDefinition): Json {
  const properties: { [key: string]: Json } = {
    apiVersion: { type: 'string', description: `Always ${API_GROUP}/${API_VERSION}` },
    kind: { type: 'string', description: `Always ${def.kind}` },
    // Kubernetes lets a CRD constrain only metadata.name; labels stay part of ObjectMeta.
    metadata: { type: 'object' },
  };
  if (def.spec) properties.spec = structural(JSON.parse(JSON.stringify(def.spec)) as Json);
  const status = KIND_STATUS.get(def.kind);
  if (status) properties.status = structural(JSON.parse(JSON.stringify(status.schema)) as Json);
  return {
    type: 'object',
    description: def.description,
    properties,
    ...(def.spec ? { required: ['spec'] } : {}),
  };
}

/**
 * The CRD version entry of one kind: its schema and, for a kind whose status the controller writes,
 * the status subresource and the columns `kubectl get` prints.
 */
function crdVersion(def: KindDefinition): Json {
  const status = KIND_STATUS.get(def.kind);
  const version: { [key: string]: Json } = { name: API_VERSION, served: true, storage: true, schema: { openAPIV3Schema: crdSchema(def) } };
  if (!status) return version;
  const columns = status.columns.map((c) => ({ name: c.name, type: c.type, jsonPath: c.jsonPath, ...(c.description ? { description: c.description } : {}) }));
  return { ...version, subresources: { status: {} }, additionalPrinterColumns: columns };
}

/** The CustomResourceDefinition of one kind as a plain object. */
export function crdFor(def: KindDefinition): Json {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${def.plural}.${API_GROUP}` },
    spec: {
      group: API_GROUP,
      names: {
        kind: def.kind,
        listKind: `${def.kind}List`,
        plural: def.plural,
        singular: def.kind.toLowerCase(),
        ...(def.shortNames.length ? { shortNames: def.shortNames } : {}),
      },
      scope: 'Namespaced',
      versions: [crdVersion(def)],
    },
  };
}

const HEADER = '# Generated from controller/desired/schema by `npm run gen`; do not edit by hand.\n';

/**
 * Every CRD file as it should be committed (path relative to the project root → YAML text), and
 * `crds/kustomization.yaml` listing them, so a Kustomize base can include the directory.
 */
export function renderCrds(): Map<string, string> {
  const files = new Map(KINDS.map((def) => [`crds/${def.plural}.yaml`, HEADER + stringify(crdFor(def), { lineWidth: 0 })]));
  const kustomization = { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: KINDS.map((def) => `${def.plural}.yaml`) };
  files.set('crds/kustomization.yaml', HEADER + stringify(kustomization));
  return files;
}
