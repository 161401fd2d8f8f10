import { rmSync } from 'node:fs';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startController, type RunningController } from '../../controller/runtime/controller.js';
import { StoreLockedError } from '../../controller/store/store.js';
import { checkinBody, post } from '../api/api-harness.js';
import { smallFleetFiles, writeFiles } from '../helpers/fleet.js';
import { createTestDatabase, cutLeaderLocks } from '../helpers/pg.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/tmp.js';

const silent = pino({ level: 'silent' });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function controllerOn(db: string, repo: string): Promise<RunningController> {
  const controller = await startController({ repo, db, host: '127.0.0.1', port: 0, logger: silent, intervalMs: 60_000, leaderRetryMs: 100 });
  cleanups.push(() => controller.stop());
  return controller;
}

function fleetDir(): string {
  const tmp = tempDir();
  cleanups.push(tmp.remove);
  writeFiles(tmp.dir, smallFleetFiles());
  return tmp.dir;
}

/** A database file beside `repo`, removed after the test with the journal and lock files written next to it. */
function dbBeside(repo: string): string {
  const db = `${repo}.db`;
  cleanups.push(() => {
    for (const file of [db, `${db}-wal`, `${db}-shm`, `${db}.lock`]) rmSync(file, { force: true });
  });
  return db;
}

describe('the controller on SQLite', () => {
  it('applies the first plan: the rollout starts and its first stage is assigned', async () => {
    const repo = fleetDir();
    const controller = await controllerOn(dbBeside(repo), repo);
    const outcome = await controller.reconcileNow();
    expect(outcome.kind).toBe('planned');
    const { state } = await controller.store.loadObserved(new Date());
    const rollout = state.rollouts.find((r) => r.name === 'v1.0.51');
    expect(rollout).toMatchObject({ stage: 1 });
    // 50% of three appliances is two.
    expect(rollout?.assignments).toHaveLength(2);
    const events = await controller.store.listEvents({ rollout: 'v1.0.51', limit: 10 });
    expect(events.map((e) => e.type).sort()).toEqual(['AssignRelease', 'AssignRelease', 'SetPhase']);
  });

  it('keeps the documents as loaded in the store only: saved there, let go in memory', async () => {
    const repo = fleetDir();
    const controller = await controllerOn(dbBeside(repo), repo);
    const revision = controller.source.current()?.revision;
    const saved = await eventually(async () => {
      const state = await controller.store.loadDesiredState();
      return state?.revision === revision ? state : null;
    }, { what: 'the revision saved in the store' });
    const declared = (controller.source.current()?.appliances ?? []).map((a) => a.name);
    expect(saved.objects.filter((o) => o.kind === 'Appliance').map((o) => o.name).sort()).toEqual([...declared].sort());
    await eventually(() => controller.source.current()?.objects.length === 0, { what: 'the documents let go' });
    expect(controller.source.current()?.appliances).toHaveLength(3);
    expect((await controller.reconcileNow()).kind).toBe('planned');
  });

  it('refuses a second controller on the same file with a clear message', async () => {
    const repo = fleetDir();
    const db = dbBeside(repo);
    await controllerOn(db, repo);
    await expect(controllerOn(db, repo)).rejects.toThrow(StoreLockedError);
    await expect(controllerOn(db, repo)).rejects.toThrow(/another muster controller is already running/);
  });

  it('tells a checking-in appliance its target once the plan assigned it', async () => {
    const repo = fleetDir();
    const controller = await controllerOn(dbBeside(repo), repo);
    await controller.reconcileNow();
    const assigned = (controller.plan()?.appliances ?? []).filter((a) => a.target === 'v1.0.51').map((a) => a.id);
    expect(assigned).toHaveLength(2);
    const token = (await controller.store.issueToken(assigned[0] as string)) as string;
    const res = await post(`${controller.url}/v1/checkin`, checkinBody(), token);
    expect(res.status).toBe(200);
    expect(res.body.target).toMatchObject({ name: 'v1.0.51', version: '1.0.51' });
  });
});

describe('two controllers on one PostgreSQL', () => {
  it('exactly one applies; when the leader loses its connection the other takes over', async () => {
    const db = await createTestDatabase();
    cleanups.push(db.drop);
    const repo = fleetDir();
    const a = await controllerOn(db.url, repo);
    const b = await controllerOn(db.url, repo);
    await eventually(() => a.isLeader() || b.isLeader(), { what: 'a leader' });
    expect([a.isLeader(), b.isLeader()].filter(Boolean)).toHaveLength(1);
    const [leader, follower] = a.isLeader() ? [a, b] : [b, a];

    // The leader's own loop applies the first plan: a rollout start and two assignments.
    await eventually(async () => (await leader.store.listEvents({ limit: 10 })).length === 3, { what: 'the leader to apply' });
    const followerPass = await follower.reconcileNow();
    expect(followerPass).toMatchObject({ kind: 'planned', applied: false });
    const leaderPass = await leader.reconcileNow();
    expect(leaderPass).toMatchObject({ kind: 'planned', applied: true, plan: { actions: [] } });
    expect(await follower.store.listEvents({ limit: 10 })).toHaveLength(3);

    // Kill the leader's lock connection from outside, as a network partition or a failover would.
    expect(await cutLeaderLocks(db.url)).toBe(1);
    await eventually(() => !leader.isLeader(), { what: 'the old leader to notice' });
    await eventually(() => follower.isLeader(), { what: 'the follower to take over' });
    expect(leader.isLeader()).toBe(false);
    const takeover = await follower.reconcileNow();
    expect(takeover.kind).toBe('planned');
  }, 60_000);
});
