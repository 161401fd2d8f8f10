import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreLockedError } from '../../controller/store/errors.js';
import { SqliteStore } from '../../controller/store/sqlite-store.js';
import { checkin } from './builders.js';

describe('SQLite: one controller per file', () => {
  let dir: string;
  let file: string;
  let stores: SqliteStore[];
  const open = async () => {
    const store = new SqliteStore(file);
    stores.push(store);
    await store.migrate();
    return store;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'muster-lock-'));
    file = join(dir, 'muster.db');
    stores = [];
  });
  afterEach(async () => {
    for (const store of stores) await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a second controller with a message naming the database and the lock file', async () => {
    const first = await open();
    const leadership = await first.acquireLeadership();
    expect(leadership.isLeader()).toBe(true);
    const second = await open();
    const refused = second.acquireLeadership();
    await expect(refused).rejects.toBeInstanceOf(StoreLockedError);
    await expect(refused).rejects.toThrow(`another muster controller is already running on ${file} (it holds ${file}.lock)`);
  });

  it('keeps the database usable by CLI commands while a controller holds the lock', async () => {
    const controller = await open();
    await controller.acquireLeadership();
    await controller.recordCheckins([checkin('a-01', '2026-01-31T12:00:00Z')]);
    const cli = await open();
    expect(await cli.issueToken('a-01')).toMatch(/^mst_/);
    expect((await cli.loadObserved(new Date('2026-01-31T12:01:00Z'))).state.appliances.map((a) => a.id)).toEqual(['a-01']);
    expect(await cli.latestPlan()).toBeNull();
  });

  it('lets the next controller in once the first releases or closes', async () => {
    const first = await open();
    const leadership = await first.acquireLeadership();
    await leadership.release();
    expect(leadership.isLeader()).toBe(false);
    const second = await open();
    const next = await second.acquireLeadership();
    expect(next.isLeader()).toBe(true);
    await second.close();
    await expect((await open()).acquireLeadership()).resolves.toMatchObject({});
  });

  it('frees the lock when the controller process dies, with no stale lock to clean up', async () => {
    const built = resolve('dist/controller/store/sqlite-store.js');
    expect(existsSync(built), 'run `npm run build` first').toBe(true);
    const holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { SqliteStore } from ${JSON.stringify(built)};
         const store = new SqliteStore(${JSON.stringify(file)});
         await store.migrate();
         await store.acquireLeadership();
         process.stdout.write('held\\n');
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolveHeld, reject) => {
      holder.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('held') && resolveHeld());
      holder.once('exit', (code) => reject(new Error(`lock holder exited early with ${code}`)));
    });
    const store = await open();
    await expect(store.acquireLeadership()).rejects.toBeInstanceOf(StoreLockedError);
    const exited = new Promise((resolveExit) => holder.once('exit', resolveExit));
    holder.kill('SIGKILL');
    await exited;
    expect((await store.acquireLeadership()).isLeader()).toBe(true);
  });
});
