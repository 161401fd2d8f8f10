import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { reconcile } from '../../controller/reconcile/reconcile.js';
import { compressJson, parseStoredJson } from '../../controller/store/compressed-json.js';
import { SqliteStore } from '../../controller/store/sqlite-store.js';
import { tempDir } from '../helpers/tmp.js';
import { appliances, desired, NOW, rollout, seen, state } from '../reconcile/builders.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openStore() {
  const tmp = tempDir();
  const file = join(tmp.dir, 'muster.db');
  const store = new SqliteStore(file);
  await store.migrate();
  const raw = new Database(file);
  cleanups.push(tmp.remove, () => store.close(), () => void raw.close());
  return { store, raw };
}

// A plan that repeats what real ones repeat: a status and findings per appliance.
function fleetPlan(count: number) {
  const fleet = appliances('appliance', count, { site: 'lab' });
  return reconcile(desired({ appliances: fleet, rollouts: [rollout('r-1', { release: 'v2' })] }), state({ appliances: fleet.slice(0, count / 2).map((a) => seen(a.name)) }), NOW);
}

describe('compressed JSON', () => {
  it('reads back what it compressed, and JSON text as stored before', async () => {
    const value = { a: [1, 'two', null], b: 'ü €' };
    expect(parseStoredJson(await compressJson(value))).toEqual(value);
    expect(parseStoredJson(JSON.stringify(value))).toEqual(value);
  });
});

describe('the saved plan on SQLite', () => {
  it('is stored compressed, a fraction of its JSON, and read back whole', async () => {
    const { store, raw } = await openStore();
    const plan = fleetPlan(2_000);
    await store.applyPlan(plan, { revision: 'rev-1', expectedVersion: 0 });
    const row = raw.prepare('SELECT typeof(plan) AS type, length(plan) AS bytes FROM latest_plan').get() as { type: string; bytes: number };
    expect(row.type).toBe('blob');
    expect(row.bytes).toBeLessThan(JSON.stringify(plan).length / 10);
    expect((await store.latestPlan())?.plan).toEqual(plan);
  });

  it('still reads a plan saved as JSON text by an earlier version', async () => {
    const { store, raw } = await openStore();
    const plan = fleetPlan(20);
    raw.prepare("INSERT INTO latest_plan (id, plan, revision, version, saved_at) VALUES (1, ?, 'rev-0', 3, ?)").run(JSON.stringify(plan), NOW.toISOString());
    expect(await store.latestPlan()).toEqual({ plan, revision: 'rev-0', version: 3, savedAt: NOW.toISOString() });
  });
});
