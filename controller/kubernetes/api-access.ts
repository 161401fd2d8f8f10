import { API_GROUP, API_VERSION, KINDS } from '../desired/schema/kinds.js';

/** One rule of a Kubernetes Role: the verbs Muster uses on some resources of its API group. */
export interface AccessRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** The verbs the Kubernetes source uses to follow every kind of the registry. */
export const READ_VERBS = ['list', 'watch'] as const;
/** The verb the status writer uses on `rollouts/status`. */
export const STATUS_VERB = 'patch';
/** The subresource the status writer patches. */
export const STATUS_RESOURCE = 'rollouts/status';

/**
 * Everything Muster asks of the API server, as Role rules: list and watch every kind in the kinds
 * registry (so a kind added there is read and granted at once), patch the Rollouts' status, nothing
 * else. `manifests/kubernetes/role.yaml` must grant exactly this; a test compares them.
 */
export function accessRules(): AccessRule[] {
  return [
    { apiGroups: [API_GROUP], resources: KINDS.map((k) => k.plural), verbs: [...READ_VERBS] },
    { apiGroups: [API_GROUP], resources: [STATUS_RESOURCE], verbs: [STATUS_VERB] },
  ];
}

/** The collection path of a kind in a namespace: what list and watch read. */
export function collectionPath(namespace: string, plural: string): string {
  return `/apis/${API_GROUP}/${API_VERSION}/namespaces/${encodeURIComponent(namespace)}/${plural}`;
}
