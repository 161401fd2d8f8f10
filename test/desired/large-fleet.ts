import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CheckPool } from '../../controller/desired/check-pool.js';
import type { FleetFile } from '../../controller/desired/load.js';
import { appliance, docs, files, release, retention, rollout } from './fleet-builders.js';

/** The compiled worker module: workers run JavaScript, so the parallel path is tested against the build. */
export const BUILT_WORKER = new URL('../../dist/controller/desired/check-worker.js', import.meta.url);

/** A pool of two workers running the built worker module; fails with a hint when there is no build. */
export function builtPool(size = 2): CheckPool {
  if (!existsSync(fileURLToPath(BUILT_WORKER))) throw new Error('run `npm run build` first: the parallel path runs the built check-worker.js');
  return new CheckPool(size, BUILT_WORKER);
}

/**
 * A repository of `sites` × `perSite` appliances in one file per site, a release and rollout per
 * site, and a retention policy per ring: large enough to be cut into several batches. `breakAt`
 * puts mistakes in a few sites — a schema error, a duplicate name across files, a dangling
 * release, overlapping policies — so errors come from different batches and from the rules
 * across documents.
 */
export function largeFleet(sites: number, perSite: number, breakAt: readonly number[] = []): FleetFile[] {
  const tree: Record<string, string> = {};
  const broken = new Set(breakAt);
  for (let s = 0; s < sites; s++) {
    const site = `site-${String(s).padStart(3, '0')}`;
    const devices = Array.from({ length: perSite }, (_, i) =>
      appliance(broken.has(s) && i === 1 ? 'site-000-a-0' : `${site}-a-${i}`, { site, ring: ['canary', 'early', 'general'][i % 3] as string }),
    );
    tree[`appliances/${site}.yaml`] = docs(...devices);
    tree[`releases/v1.${s}.0.yaml`] = broken.has(s) ? release(`v1.${s}.0`, 'not-semver') : release(`v1.${s}.0`);
    tree[`rollouts/v1.${s}.0.yaml`] = broken.has(s)
      ? rollout(`v1.${s}.0`, { release: `v9.${s}.0`, stages: [{ percent: 50 }, { percent: 40 }] })
      : rollout(`v1.${s}.0`, { selector: { matchLabels: { site } }, stages: [{ percent: 10, soak: '1h' }, { percent: 100 }] });
  }
  for (const ring of ['canary', 'early', 'general']) {
    tree[`policies/${ring}.yaml`] = retention(ring, { selector: { matchLabels: { ring } } });
  }
  if (broken.size > 0) tree['policies/zz-everything.yaml'] = retention('everything');
  return files(tree);
}
