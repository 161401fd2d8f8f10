import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { reconcile } from '../../controller/reconcile/reconcile.js';
import { fleetHeapSizing, unlimitedHeap, workerLimits, type PassHeapSizing } from '../../controller/runtime/pass-heap.js';
import { PassThread } from '../../controller/runtime/pass-thread.js';
import type { PassOutcome } from '../../controller/runtime/reconcile-pass.js';
import { openMigratedStore } from '../../controller/store/open-store.js';
import { desiredFrom, smallFleetFiles } from '../helpers/fleet.js';
import { tempDir } from '../helpers/tmp.js';

const BUILT_WORKER = new URL('../../dist/controller/runtime/pass-worker.js', import.meta.url);
const silent = pino({ level: 'silent' });
const STATUS = { lastAppliedRevision: 'test-revision', lastAttemptedRevision: 'test-revision', errors: [], at: '2026-12-05T10:00:00.000Z' };
const NOW = new Date('2026-12-05T10:00:00.000Z');
const APPLIANCES = ['app-1', 'app-2', 'app-3'];

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

beforeAll(() => {
  if (!existsSync(fileURLToPath(BUILT_WORKER))) throw new Error('run `npm run build` first: the reconcile worker runs the built pass-worker.js');
});

describe('the reconcile worker heap sizing', () => {
  it.each([
    { name: 'a small fleet gets the base', given: { sizing: fleetHeapSizing, appliances: 0, growth: 1 }, want: { maxOldGenerationSizeMb: 160, maxYoungGenerationSizeMb: 16 } },
    { name: '100,000 appliances get the base and 6 MB per thousand', given: { sizing: fleetHeapSizing, appliances: 100_000, growth: 1 }, want: { maxOldGenerationSizeMb: 760, maxYoungGenerationSizeMb: 16 } },
    { name: 'after two out-of-memory errors, four times the old generation', given: { sizing: fleetHeapSizing, appliances: 100_000, growth: 4 }, want: { maxOldGenerationSizeMb: 3040, maxYoungGenerationSizeMb: 16 } },
    { name: 'unlimited sets nothing', given: { sizing: unlimitedHeap, appliances: 100_000, growth: 1 }, want: {} },
  ])('$name', ({ given, want }) => {
    expect(workerLimits(given.sizing, given.appliances, given.growth)).toEqual(want);
  });
});

describe('a reconcile worker that runs out of memory', () => {
  it('fails the pass, and a later pass on a worker with more heap plans as before', async () => {
    const dir = tempDir();
    cleanups.push(dir.remove);
    const db = join(dir.dir, 'muster.db');
    const store = await openMigratedStore(db);
    cleanups.push(() => store.close());
    await store.recordCheckins(APPLIANCES.map((appliance) => ({ appliance, at: new Date(NOW.getTime() - 1_000), report: { release: 'v1.0.50', status: 'healthy' } as never })));
    const desired = desiredFrom(smallFleetFiles({ appliances: APPLIANCES }));
    const want = reconcile(desired, (await store.loadObserved(NOW)).state, NOW);
    // Far too small for the worker to even load its code: it runs out at once.
    const tiny: PassHeapSizing = { oldGenerationMb: () => 1, youngGenerationMb: 1 };
    const passes = new PassThread(db, BUILT_WORKER, tiny);
    cleanups.push(() => passes.close());

    const first = await passes.run({ desired, sourceStatus: STATUS, isLeader: true, log: silent }, NOW);
    expect(first.kind).toBe('failed');
    expect(first.kind === 'failed' && first.error.message).toMatch(/ran out of its 1 MB heap/);
    expect(passes.nextHeapMb(APPLIANCES.length)).toBe(2);

    // As the loop does after a failed pass: try again; each out-of-memory doubles the next heap.
    const outcomes: PassOutcome['kind'][] = [first.kind];
    let last: PassOutcome = first;
    while (last.kind === 'failed' && outcomes.length < 12) {
      last = await passes.run({ desired, sourceStatus: STATUS, isLeader: true, log: silent }, NOW);
      outcomes.push(last.kind);
    }
    expect(last.kind).toBe('planned');
    expect(outcomes.slice(0, -1).every((kind) => kind === 'failed')).toBe(true);
    expect(last.kind === 'planned' && last.plan).toEqual(want);
  });
});
