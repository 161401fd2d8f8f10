import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { SqliteStore } from '../../controller/store/sqlite-store.js';
import { muster } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { plan } from '../store/builders.js';
import { notifier } from './builders.js';

const T0 = '2026-12-04T10:00:00.000Z';
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A SQLite database whose outbox holds one delivered and one pending event. */
async function outboxDb(): Promise<string> {
  const tmp = tempDir();
  cleanups.push(tmp.remove);
  const db = join(tmp.dir, 'muster.db');
  const store = new SqliteStore(db);
  await store.migrate();
  const findings = [
    { type: 'StuckAppliance' as const, severity: 'error' as const, appliance: 'lab-01', message: 'stuck' },
    { type: 'RolloutStalled' as const, severity: 'error' as const, rollout: 'v51', message: 'stalled' },
  ];
  await store.applyPlan(plan(T0, [], { findings }), { revision: 'r', expectedVersion: 0, notify: { notifiers: [notifier('ops')], publicUrl: null } });
  const [first] = await store.outbox.claimDue(new Date(T0), 1, 60_000);
  await store.outbox.record({ notifier: 'ops', id: first?.id as string, at: new Date(T0), result: 'delivered' });
  await store.close();
  return db;
}

describe('muster notifications', () => {
  test('text: a summary, then one line per event with where it stands', async () => {
    const db = await outboxDb();
    const { code, stdout } = await muster(['notifications', '--db', db]);
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`Notifications: 1 pending (oldest ${T0}), 1 delivered, 0 given up`);
    expect(lines.slice(1).sort()).toEqual([
      expect.stringMatching(new RegExp(`^${T0}  ops  RolloutStalled opened on rollout v51  pending since ${T0}  \\[[0-9a-f]{32}\\]$`)),
      expect.stringMatching(new RegExp(`^${T0}  ops  StuckAppliance opened on appliance lab-01  delivered ${T0}  \\[[0-9a-f]{32}\\]$`)),
    ]);
  });

  test('json with --pending: one document with the stats and the pending rows only', async () => {
    const db = await outboxDb();
    const { code, stdout } = await muster(['notifications', '--db', db, '--format', 'json', '--pending']);
    expect(code).toBe(0);
    const doc = JSON.parse(stdout) as { stats: unknown; notifications: { event: { type: string }; deliveredAt: string | null }[] };
    expect(doc.stats).toMatchObject({ pending: 1, delivered: 1, gaveUp: 0, undeliverable: [] });
    expect(doc.notifications).toMatchObject([{ event: { type: 'RolloutStalled' }, deliveredAt: null }]);
  });

  test.each([
    { name: 'a limit of zero', args: ['--limit', '0'], want: 2 },
    { name: 'an unknown format', args: ['--format', 'yaml'], want: 2 },
  ])('$name is a usage error (exit $want)', async ({ args, want }) => {
    const db = await outboxDb();
    expect((await muster(['notifications', '--db', db, ...args])).code).toBe(want);
  });

  test('a missing database exits 1', async () => {
    expect((await muster(['notifications', '--db', '/nonexistent/muster.db'])).code).toBe(1);
  });

  test('muster controller refuses a --public-url that is not an http(s) URL (exit 2)', async () => {
    const { code, stderr } = await muster(['controller', '--repo', '.', '--db', '/nonexistent/muster.db', '--public-url', 'muster.example.com']);
    expect(code).toBe(2);
    expect(stderr).toContain('--public-url must be an http:// or https:// URL');
  });
});
