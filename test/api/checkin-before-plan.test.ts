/**
 * A controller that has just started answers check-ins before its first reconcile pass. It must not
 * answer them 200 with "no target" (and the default 60 s interval): an appliance mid-update would drop
 * its update and check in again only a minute later. Found by the kill -9 suite: after restarts,
 * appliances sat a minute without their target.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ResponseIndex } from '../../controller/api/response-index.js';
import { reconcile } from '../../controller/reconcile/reconcile.js';
import { openMigratedStore } from '../../controller/store/open-store.js';
import type { Store } from '../../controller/store/store.js';
import { desiredFrom, smallFleetFiles } from '../helpers/fleet.js';
import { tempDir } from '../helpers/tmp.js';
import { checkinBody, post, startTestApi, type TestApi } from './api-harness.js';

const NOW = new Date('2026-03-02T10:00:00Z');
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('check-ins before the first plan', () => {
  it('are answered 503 with Retry-After, not 200 with no target; once planned, 200 with the target', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const store: Store = await openMigratedStore(`${tmp.dir}/muster.db`);
    cleanups.push(() => store.close());
    const desired = desiredFrom(smallFleetFiles());
    const plan = reconcile(desired, (await store.loadObserved(NOW)).state, NOW);
    const appliance = plan.appliances.find((a) => a.target !== null);
    if (!appliance) throw new Error('the small fleet plans no target');
    const token = (await store.issueToken(appliance.id)) as string;
    // What the controller holds from its start until its first pass ends, then the planned answers.
    let planned = false;
    const [fresh, index] = [new ResponseIndex(null, null), new ResponseIndex(desired, plan)];
    const started: TestApi = await startTestApi(store, desired, NOW, {
      view: { responses: () => (planned ? index : fresh), plan: () => (planned ? plan : null), readiness: () => ({ desiredLoaded: planned, revision: desired.revision, sourceError: null }) },
    });
    cleanups.push(() => started.close());

    const early = await post(`${started.url}/v1/checkin`, checkinBody(), token);
    expect(early.status).toBe(503);
    expect(early.body).toMatchObject({ error: 'Unavailable' });
    expect(Number(early.headers.get('retry-after'))).toBeGreaterThan(0);

    planned = true;
    const later = await post(`${started.url}/v1/checkin`, checkinBody(), token);
    expect(later.status).toBe(200);
    expect(later.body).toMatchObject({ target: { name: appliance.target } });
  });
});
