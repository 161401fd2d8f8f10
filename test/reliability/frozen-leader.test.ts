import { afterEach, describe, expect, it } from 'vitest';
import type { Plan } from '../../controller/reconcile/plan.js';
import { openMigratedStore } from '../../controller/store/open-store.js';
import { createTestDatabase, cutLeaderLocks } from '../helpers/pg.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/tmp.js';
import { createGitFixture } from '../sources/git-repos.js';
import { freePort, spawnController, type ControllerProcess } from './controller-process.js';
import { metricValue, runCleanups, scrape, type Cleanups } from './harness.js';
import { rolloutFleet } from './killed-rollout.js';
import { recordFigures, runs } from './scale.js';
import { brokenInvariants, snapshot } from './store-invariants.js';

const cleanups: Cleanups = [];
afterEach(() => runCleanups(cleanups));

const leads = async (c: ControllerProcess) => metricValue(await scrape(c.url, { signal: AbortSignal.timeout(2_000) }).catch(() => ''), 'muster_leader') === 1;

async function twoControllers() {
  const db = await createTestDatabase();
  cleanups.push(db.drop);
  const git = await createGitFixture();
  cleanups.push(() => git.cleanup());
  await git.commit(rolloutFleet(12), 'fleet and rollout');
  const store = await openMigratedStore(db.url);
  cleanups.push(() => store.close());
  const start = async () => {
    const cache = tempDir('muster-chaos-cache-');
    cleanups.push(cache.remove);
    const c = await spawnController({ repo: git.url, db: db.url, port: await freePort(), cacheDir: cache.dir, leaderHeartbeat: '200ms' });
    cleanups.push(() => c.stop());
    return c;
  };
  const controllers = [await start(), await start()];
  return { db: db.url, git, store, controllers };
}

async function leaderOf(controllers: ControllerProcess[]): Promise<{ leader: ControllerProcess; follower: ControllerProcess }> {
  const leader = await eventually(async () => {
    const leading = [];
    for (const c of controllers) if (await leads(c)) leading.push(c);
    return leading.length === 1 ? leading[0] : null;
  }, { what: 'exactly one leader', timeoutMs: 30_000 });
  return { leader, follower: controllers.find((c) => c !== leader) as ControllerProcess };
}

describe('two controllers on one PostgreSQL', () => {
  it('exactly one leads: a frozen (SIGSTOP) or cut-off leader loses the lock, the other takes over, and stale plans apply nothing', async () => {
    const { db, store, controllers } = await twoControllers();
    const rounds = runs('freezes', 1, 20);
    const takeoverMs: number[] = [];
    let version = 0;
    for (let round = 0; round < rounds; round += 1) {
      const { leader, follower } = await leaderOf(controllers);
      await eventually(async () => (await store.stateVersion()) > version, { what: 'the leader to act' });
      leader.freeze();
      const frozenAt = Date.now();
      await eventually(() => leads(follower), { what: 'the follower to take over', timeoutMs: 30_000 });
      takeoverMs.push(Date.now() - frozenAt);
      leader.thaw();
      await eventually(async () => !(await leads(leader)), { what: 'the thawed leader to step down' });
      const snap = await snapshot(store);
      expect(brokenInvariants(snap, [], version)).toEqual([]);
      version = snap.version;
    }

    // Cut the leader's lock connection from outside, as a network partition or a failover would.
    const { leader, follower } = await leaderOf(controllers);
    const before = await store.loadObserved(new Date());
    const cut = Date.now();
    expect(await cutLeaderLocks(db)).toBe(1);
    await eventually(() => leads(follower), { what: 'the follower to take over', timeoutMs: 30_000 });
    expect(await leads(leader)).toBe(false);
    const cutTakeoverMs = Date.now() - cut;

    // The state moves on (an import bumps the version, as an applied plan does): a plan computed
    // from the old version, as the old leader's in-flight pass was, must apply nothing.
    await store.importState(before.state);
    const plan: Plan = { now: new Date().toISOString(), revision: null, errors: [], rollouts: [], appliances: [], findings: [], actions: [{ type: 'SetPhase', rollout: 'v1.0.51', phase: 'Aborted', from: 'Progressing' }] };
    const stale = await store.applyPlan(plan, { revision: null, expectedVersion: before.version });
    expect(stale.applied).toBe(false);
    const snap = await snapshot(store);
    expect(snap.rollouts.find((r) => r.name === 'v1.0.51')?.phase).not.toBe('Aborted');
    expect(brokenInvariants(snap, [], version)).toEqual([]);
    recordFigures('frozen-or-cut-leader', { freezes: rounds, takeoverMs, cutTakeoverMs });
  }, 120_000);
});
