import { CustomObjectsApi, PatchStrategy, Watch, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';
import { API_GROUP, API_VERSION } from '../desired/schema/kinds.js';
import { collectionPath } from './api-access.js';

/** A custom resource as the API server returns it; only the fields Muster reads are typed. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    resourceVersion?: string;
    generation?: number;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: unknown;
  status?: unknown;
}

export interface KubeList {
  items: KubeObject[];
  resourceVersion: string;
}

/** One line of a watch stream: `ADDED`, `MODIFIED`, `DELETED`, `BOOKMARK` or `ERROR` (a Status object). */
export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/** A refusal of the API server, with its HTTP status code (403 from RBAC, 409, 410 Gone, …). */
export class KubeApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

/** The three calls Muster makes, in one namespace of the `muster.dev` group. */
export interface KubeApi {
  list(plural: string): Promise<KubeList>;
  /** Opens a watch from `resourceVersion`, with bookmarks; `done` is called once, when the stream ends or fails. */
  watch(plural: string, resourceVersion: string, onEvent: (type: WatchEventType, object: KubeObject) => void, done: (err: unknown) => void): Promise<{ abort(): void }>;
  /** Merge-patches the status subresource of one object. */
  patchStatus(plural: string, name: string, status: unknown): Promise<void>;
}

/** How long the API server keeps one watch open before the client opens the next. */
export const WATCH_TIMEOUT_SECONDS = 300;

/** The HTTP status code of a failed call, whichever layer of the client raised it; null for a network error. */
export function errorCode(err: unknown): number | null {
  if (err && typeof err === 'object') {
    const e = err as { code?: unknown; statusCode?: unknown };
    if (typeof e.statusCode === 'number') return e.statusCode;
    if (typeof e.code === 'number') return e.code;
  }
  return null;
}

/** The server's own words for a failed call (the Status object's message), or the error's. */
function explain(err: unknown, what: string): KubeApiError | Error {
  const code = errorCode(err);
  const body = (err as { body?: unknown }).body;
  const parsed = typeof body === 'string' ? safeJson(body) : body;
  const serverMessage = (parsed as { message?: unknown } | undefined)?.message;
  const message = typeof serverMessage === 'string' ? serverMessage : err instanceof Error ? err.message.split('\n')[0] : String(err);
  return code === null ? new Error(`${what}: ${message}`) : new KubeApiError(code, `${what}: ${code} ${message}`);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `KubeApi` through `@kubernetes/client-node`: CustomObjectsApi for list and patch, Watch for watches. */
export function kubeApi(config: KubeConfig, namespace: string): KubeApi {
  const objects = config.makeApiClient(CustomObjectsApi);
  const watcher = new Watch(config);
  const base = { group: API_GROUP, version: API_VERSION, namespace };
  return {
    async list(plural) {
      try {
        const list = (await objects.listNamespacedCustomObject({ ...base, plural })) as { items?: KubeObject[]; metadata?: { resourceVersion?: string } };
        return { items: list.items ?? [], resourceVersion: list.metadata?.resourceVersion ?? '' };
      } catch (err) {
        throw explain(err, `list ${plural}`);
      }
    },
    watch(plural, resourceVersion, onEvent, done) {
      // The server ends each watch after timeoutSeconds (as client-go asks): a connection that died
      // silently is replaced within that time, resuming from the last resourceVersion.
      const params = { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: WATCH_TIMEOUT_SECONDS };
      return watcher.watch(collectionPath(namespace, plural), params, (type: string, object: KubeObject) => onEvent(type as WatchEventType, object), (err: unknown) =>
        done(err ? explain(err, `watch ${plural}`) : null),
      );
    },
    async patchStatus(plural, name, status) {
      try {
        await objects.patchNamespacedCustomObjectStatus({ ...base, plural, name, body: { status } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      } catch (err) {
        throw explain(err, `patch ${plural}/${name}/status`);
      }
    },
  };
}
