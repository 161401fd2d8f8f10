import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startController, type RunningController } from '../../controller/runtime/controller.js';
import { smallFleetFiles, writeFiles } from '../helpers/fleet.js';
import { createTestDatabase, cutLeaderLocks } from '../helpers/pg.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/tmp.js';
import { Receiver } from './receiver.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('notifications across a leader change on PostgreSQL', () => {
  it('only the leader sends; after it loses the lock the new leader delivers every pending event, each once', async () => {
    const db = await createTestDatabase();
    cleanups.push(db.drop);
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const receiver = new Receiver();
    await receiver.up();
    cleanups.push(() => receiver.down());
    receiver.mode = 'fail';
    const urlFile = join(tmp.dir, 'hook-url');
    writeFileSync(urlFile, receiver.url);
    const repo = join(tmp.dir, 'fleet');
    writeFiles(repo, {
      ...smallFleetFiles(),
      'notifier.yaml': ['apiVersion: muster.dev/v1alpha1', 'kind: Notifier', 'metadata:', '  name: hook', 'spec:', '  format: json', '  urlFrom:', `    file: ${urlFile}`, ''].join('\n'),
    });
    const start = async (): Promise<RunningController> => {
      const c = await startController({ repo, db: db.url, host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }), intervalMs: 60_000, leaderRetryMs: 100, notifyPollMs: 200 });
      cleanups.push(() => c.stop());
      return c;
    };
    const [a, b] = [await start(), await start()];
    await eventually(() => a.isLeader() || b.isLeader(), { what: 'a leader' });
    const [leader, follower] = a.isLeader() ? [a, b] : [b, a];
    const committed = await eventually(async () => {
      const rows = await leader.store.outbox.list({ limit: 100 });
      return rows.length && receiver.requests >= rows.length ? rows : null;
    }, { what: 'the leader to commit events and try to send them' });
    expect(receiver.delivered).toEqual([]);

    // Kill the leader's lock connection from outside, as a failover would; the receiver recovers.
    expect(await cutLeaderLocks(db.url)).toBe(1);
    await eventually(() => follower.isLeader(), { what: 'the follower to take over' });
    receiver.mode = 'ok';

    const ids = committed.map((r) => r.id);
    await eventually(() => ids.every((id) => receiver.unique().includes(id)), { what: 'every committed event delivered', timeoutMs: 45_000 });
    await eventually(async () => (await follower.store.outbox.stats()).pending === 0, { what: 'the outbox to drain' });
    expect(receiver.delivered.length).toBe(receiver.unique().length);
    expect(leader.isLeader()).toBe(false);
  }, 90_000);
});
