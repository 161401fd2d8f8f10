import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import type * as Isolated from '../../controller/desired/isolated-load.js';
import { loadFleetFiles } from '../../controller/desired/load.js';
import type * as Saved from '../../controller/runtime/saved-desired.js';
import { desiredFromSaved } from '../../controller/runtime/saved-desired.js';
import { appliance, files } from './fleet-builders.js';
import { largeFleet } from './large-fleet.js';

// The load worker runs compiled code, as in the controller: the test loads the built modules.
const BUILT = (path: string) => new URL(`../../dist/${path}`, import.meta.url);
async function built(): Promise<{ isolated: typeof Isolated; saved: typeof Saved }> {
  const worker = BUILT('controller/desired/load-worker.js');
  if (!existsSync(fileURLToPath(worker))) throw new Error('run `npm run build` first: the load worker runs the built load-worker.js');
  return {
    isolated: (await import(BUILT('controller/desired/isolated-load.js').href)) as typeof Isolated,
    saved: (await import(BUILT('controller/runtime/saved-desired.js').href)) as typeof Saved,
  };
}

describe('loading on a worker of its own gives what loading in one thread gives', () => {
  test.each([
    { name: 'a large valid repository', given: largeFleet(120, 20) },
    { name: 'a large repository with errors in several files', given: largeFleet(120, 20, [3, 57, 101]) },
    { name: 'a small repository (loaded in the calling thread)', given: files({ 'a.yaml': appliance('a') }) },
  ])('$name', async ({ given }) => {
    const { isolated } = await built();
    const want = loadFleetFiles(given, 'rev');
    expect(await isolated.loadFleetFilesIsolated(given, 'rev', { startWorkers: true })).toEqual(want);
    // The worker itself, not a fallback to the calling thread, gives that answer.
    expect(await isolated.loadOnWorker({ files: given, revision: 'rev' })).toEqual({ result: want });
  });

  test('a saved desired state rebuilds to the same state', async () => {
    const { saved } = await built();
    const loaded = loadFleetFiles(largeFleet(120, 20), 'rev');
    if (!loaded.ok) throw new Error('the fleet should load');
    const record = { revision: 'rev', objects: loaded.state.objects } as Parameters<typeof desiredFromSaved>[0];
    expect(await saved.desiredFromSavedIsolated(record)).toEqual(desiredFromSaved(record));
    expect(await saved.desiredFromSavedIsolated(null)).toBeNull();
  });
});
