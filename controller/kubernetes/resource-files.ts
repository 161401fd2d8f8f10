import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import type { FleetFile } from '../desired/load.js';
import type { KubeObject } from './kube-api.js';

// kubectl's copy of the last applied object: noise in the document and nothing Muster reads.
const DROPPED_ANNOTATIONS = new Set(['kubectl.kubernetes.io/last-applied-configuration']);

/**
 * A custom resource as a fleet file, so it is validated exactly as a file of a git revision: the
 * path names the resource (`Kind/namespace/name.yaml`), the content is the document a person would
 * have written (apiVersion, kind, name, labels, annotations, spec) without the fields the API
 * server adds (uid, resourceVersion, generation, managedFields, status).
 */
export function resourceFile(kind: string, object: KubeObject): FleetFile {
  const meta = object.metadata ?? {};
  const annotations = Object.entries(meta.annotations ?? {}).filter(([key]) => !DROPPED_ANNOTATIONS.has(key));
  const metadata = {
    name: meta.name,
    ...(meta.labels && Object.keys(meta.labels).length ? { labels: meta.labels } : {}),
    ...(annotations.length ? { annotations: Object.fromEntries(annotations) } : {}),
  };
  const document = { apiVersion: object.apiVersion, kind: object.kind ?? kind, metadata, ...(object.spec === undefined ? {} : { spec: object.spec }) };
  return { path: `${kind}/${meta.namespace ?? ''}/${meta.name ?? ''}.yaml`, content: stringify(document, { lineWidth: 0 }) };
}

/** A resource held for the revision: its file and the resourceVersion at which that file last changed. */
export interface HeldResource {
  file: FleetFile;
  resourceVersion: string;
}

/**
 * The revision id of a set of resources: a hash of every resource's path and resourceVersion, so
 * any change to the set (an edit, an addition, a deletion) gives a new id and nothing else does.
 */
export function revisionId(resources: Iterable<HeldResource>): string {
  const lines = [...resources].map((r) => `${r.file.path}@${r.resourceVersion}`).sort();
  return `kubernetes:${createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16)}`;
}
