import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ResponseIndex } from '../../controller/api/response-index.js';
import { reconcile } from '../../controller/reconcile/reconcile.js';
import type { WorkerHeap } from '../../controller/runtime/pass-messages.js';
import { isWorkerPlanned, PassThread } from '../../controller/runtime/pass-thread.js';
import { openMigratedStore } from '../../controller/store/open-store.js';
import type { Store } from '../../controller/store/store.js';
import { eventually } from '../helpers/eventually.js';
import { desiredFrom, smallFleetFiles } from '../helpers/fleet.js';
import { createTestDatabase } from '../helpers/pg.js';
import { tempDir } from '../helpers/tmp.js';

// The worker runs compiled code, as in the controller: the test uses the build.
const BUILT_WORKER = new URL('../../dist/controller/runtime/pass-worker.js', import.meta.url);
const silent = pino({ level: 'silent' });
const STATUS = { lastAppliedRevision: 'test-revision', lastAttemptedRevision: 'test-revision', errors: [], at: '2026-12-04T10:00:00.000Z' };
const NOW = new Date('2026-12-04T10:00:00.000Z');
const APPLIANCES = ['app-1', 'app-2', 'app-3', 'app-4'];

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

beforeAll(() => {
  if (!existsSync(fileURLToPath(BUILT_WORKER))) throw new Error('run `npm run build` first: the reconcile worker runs the built pass-worker.js');
});

async function seeded(db: string): Promise<Store> {
  const store = await openMigratedStore(db);
  cleanups.push(() => store.close());
  await store.recordCheckins(APPLIANCES.map((appliance) => ({ appliance, at: new Date(NOW.getTime() - 1_000), report: { release: 'v1.0.50', status: 'healthy' } as never })));
  return store;
}

function thread(db: string): PassThread {
  const passes = new PassThread(db, BUILT_WORKER);
  cleanups.push(() => passes.close());
  return passes;
}

const stores = [
  {
    name: 'SQLite',
    db: async () => {
      const dir = tempDir();
      cleanups.push(dir.remove);
      return join(dir.dir, 'muster.db');
    },
  },
  {
    name: 'PostgreSQL',
    db: async () => {
      const { url, drop } = await createTestDatabase();
      cleanups.push(drop);
      return url;
    },
  },
];

describe.each(stores)('a reconcile pass on the worker ($name)', ({ db: makeDb }) => {
  it('plans what the pure core plans from the same state, applies it, and answers check-ins as the plan says', async () => {
    const db = await makeDb();
    const store = await seeded(db);
    const desired = desiredFrom(smallFleetFiles({ appliances: APPLIANCES }));
    const before = await store.loadObserved(NOW);
    const want = reconcile(desired, before.state, NOW);

    const heaps: WorkerHeap[] = [];
    const outcome = await thread(db).run({ desired, sourceStatus: STATUS, isLeader: true, log: silent, onHeap: (heap) => heaps.push(heap) }, NOW);

    expect(outcome.kind).toBe('planned');
    if (!isWorkerPlanned(outcome)) throw new Error('not a worker outcome');
    expect(outcome.applied).toBe(true);
    // The worker's own heap, told as the pass ends: megabytes of code and state, committed at least what is used.
    expect(heaps[0]?.usedBytes).toBeGreaterThan(1e6);
    expect(heaps[0]?.committedBytes).toBeGreaterThanOrEqual(heaps[0]?.usedBytes ?? Infinity);
    // Then again once the worker has collected the pass's garbage: less in use than as the pass ended.
    await eventually(() => heaps.length === 2, { what: 'the heap after the collection' });
    expect(heaps[1]?.usedBytes).toBeLessThan(heaps[0]?.usedBytes ?? 0);
    expect(outcome.plan).toEqual(want);
    expect(outcome.computed.actions).toEqual(want.actions);
    const fromWorker = new ResponseIndex(desired, null, outcome.computed.answers);
    const inThread = new ResponseIndex(desired, want);
    for (const id of [...APPLIANCES, 'not-declared']) expect(fromWorker.responseFor(id)).toBe(inThread.responseFor(id));
    expect(await store.stateVersion()).toBe(before.version + 1);
  });

  it('keeps the desired state it was sent: a second pass plans again from the state the first applied', async () => {
    const db = await makeDb();
    const store = await seeded(db);
    const desired = desiredFrom(smallFleetFiles({ appliances: APPLIANCES }));
    const passes = thread(db);
    await passes.run({ desired, sourceStatus: STATUS, isLeader: true, log: silent }, NOW);
    const later = new Date(NOW.getTime() + 60_000);
    const want = reconcile(desired, (await store.loadObserved(later)).state, later);

    const second = await passes.run({ desired, sourceStatus: STATUS, isLeader: true, log: silent }, later);

    expect(second.kind === 'planned' && second.plan).toEqual(want);
  });

  it('plans without applying for a follower', async () => {
    const db = await makeDb();
    const store = await seeded(db);
    const version = await store.stateVersion();
    const desired = desiredFrom(smallFleetFiles({ appliances: APPLIANCES }));

    const outcome = await thread(db).run({ desired, sourceStatus: STATUS, isLeader: false, log: silent }, NOW);

    expect(outcome).toMatchObject({ kind: 'planned', applied: false });
    expect(await store.stateVersion()).toBe(version);
  });
});

describe('the reconcile worker', () => {
  it('is idle without a desired state and starts no thread for it', async () => {
    const outcome = await thread('unused.db').run({ desired: null, sourceStatus: STATUS, isLeader: true, log: silent }, NOW);
    expect(outcome).toEqual({ kind: 'idle', reason: 'no valid desired state yet' });
  });

  it('reports a pass that cannot read the store as a failed outcome, not an exception', async () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    // A database file that was never migrated: the pass's first read fails.
    const outcome = await thread(join(dir.dir, 'empty.db')).run(
      { desired: desiredFrom(smallFleetFiles({ appliances: APPLIANCES })), sourceStatus: STATUS, isLeader: true, log: silent },
      NOW,
    );
    expect(['failed', 'unavailable']).toContain(outcome.kind);
    expect(outcome.kind !== 'planned' && 'error' in outcome && outcome.error.message).toMatch(/no such table|relation/);
  });
});

/** The niceness and scheduling policy (5: SCHED_IDLE) of each of this process's threads, by thread id (Linux's /proc). */
function threadScheduling(): Map<number, { nice: number; policy: number }> {
  const threads = new Map<number, { nice: number; policy: number }>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    threads.set(Number(tid), { nice: Number(fields[16]), policy: Number(fields[38]) });
  }
  return threads;
}

const SCHED_IDLE = 5;
// Where util-linux's chrt is missing the worker keeps its niceness alone.
const CHRT = spawnSync('chrt', ['--version']).status === 0;

describe.runIf(process.platform === 'linux')('the reconcile worker\'s priority', () => {
  it.each([
    { name: 'by default, 19 below the API\'s thread and idle-scheduled', env: {}, nice: 19, idle: CHRT },
    { name: 'as MUSTER_PASS_NICENESS says', env: { MUSTER_PASS_NICENESS: '3' }, nice: 3, idle: CHRT },
    { name: 'with the normal policy when MUSTER_PASS_SCHED_IDLE is 0', env: { MUSTER_PASS_SCHED_IDLE: '0' }, nice: 19, idle: false },
    { name: 'as the API\'s thread when MUSTER_PASS_NICENESS is 0', env: { MUSTER_PASS_NICENESS: '0' }, nice: 0, idle: false },
  ])('runs its thread $name', async ({ env, nice, idle }) => {
    for (const name of ['MUSTER_PASS_NICENESS', 'MUSTER_PASS_SCHED_IDLE'] as const) {
      const saved = process.env[name];
      const given = (env as Partial<Record<typeof name, string>>)[name];
      if (given === undefined) delete process.env[name];
      else process.env[name] = given;
      cleanups.push(() => void (saved === undefined ? delete process.env[name] : (process.env[name] = saved)));
    }
    const before = threadScheduling();
    const db = await stores[0]!.db();
    await seeded(db);
    await thread(db).run({ desired: desiredFrom(smallFleetFiles({ appliances: APPLIANCES })), sourceStatus: STATUS, isLeader: true, log: silent }, NOW);
    const own = before.get(Number(readdirSync('/proc/self/task').sort((a, b) => Number(a) - Number(b))[0]))?.nice ?? 0;
    const started = [...threadScheduling()].filter(([tid]) => !before.has(tid)).map(([, t]) => t);
    expect(started.filter((t) => t.nice > own).map((t) => t.nice - own)).toEqual(nice === 0 ? [] : [Math.min(19 - own, nice)]);
    expect(started.filter((t) => t.policy === SCHED_IDLE)).toHaveLength(idle ? 1 : 0);
  });
});
