import { stringify } from 'yaml';
import { loadFleetFilesIsolated } from '../desired/isolated-load.js';
import { loadFleetFiles } from '../desired/load.js';
import { API_GROUP_VERSION } from '../desired/schema/kinds.js';
import type { DesiredObject, DesiredState } from '../desired/types.js';
import type { SavedDesiredState } from '../store/store.js';

/** Fleet files that hold exactly the saved objects, one document each, in their saved order. */
export function savedObjectsAsFiles(objects: readonly DesiredObject[]): { path: string; content: string }[] {
  const docs = objects.map((o) =>
    stringify({
      apiVersion: API_GROUP_VERSION,
      kind: o.kind,
      metadata: { name: o.name, ...(Object.keys(o.labels).length ? { labels: o.labels } : {}) },
      ...(o.spec ? { spec: o.spec } : {}),
    }),
  );
  return [{ path: 'saved-desired-state.yaml', content: docs.join('---\n') }];
}

/**
 * The desired state the store last applied, rebuilt through the loader, so a controller restarted while its
 * source is unreachable keeps acting on the last good revision. Null when nothing was saved or it no longer
 * loads (a newer controller wrote it).
 */
export function desiredFromSaved(saved: SavedDesiredState | null): DesiredState | null {
  if (!saved) return null;
  const result = loadFleetFiles(savedObjectsAsFiles(saved.objects), saved.revision);
  return result.ok ? result.state : null;
}

/**
 * `desiredFromSaved` for a long-running process: a large saved state is rebuilt on a worker thread
 * of its own (`loadFleetFilesIsolated`), so the process keeps only the result, not the half a
 * gigabyte of garbage that loading 100,000 appliances makes.
 */
export async function desiredFromSavedIsolated(saved: SavedDesiredState | null): Promise<DesiredState | null> {
  if (!saved) return null;
  const result = await loadFleetFilesIsolated(savedObjectsAsFiles(saved.objects), saved.revision, { startWorkers: true });
  return result.ok ? result.state : null;
}
