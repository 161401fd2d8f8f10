import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { PAGE_CACHE_SIZE, SqliteStore } from '../../controller/store/sqlite-store.js';
import { tempDir } from '../helpers/tmp.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("the SQLite store's page cache", () => {
  it("is SQLite's own 2 MiB, not the 16 MiB the driver is built with", async () => {
    const tmp = tempDir();
    const store = new SqliteStore(join(tmp.dir, 'muster.db'));
    cleanups.push(tmp.remove, () => store.close());
    await store.migrate();
    const driverDefault = new Database(':memory:');
    cleanups.push(() => void driverDefault.close());
    expect(driverDefault.pragma('cache_size', { simple: true })).toBe(-16000);
    expect(PAGE_CACHE_SIZE).toBe(-2000);
    expect(store['db'].pragma('cache_size', { simple: true })).toBe(PAGE_CACHE_SIZE);
  });
});
