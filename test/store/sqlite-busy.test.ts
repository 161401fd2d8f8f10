import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../controller/store/errors.js';
import { SqliteStore } from '../../controller/store/sqlite-store.js';
import { checkin } from './builders.js';

describe('SQLite while another process holds a long write', () => {
  let dir: string;
  let store: SqliteStore;
  let other: Database.Database;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'muster-busy-'));
    store = new SqliteStore(join(dir, 'muster.db'), { busyTimeoutMs: 20 });
    await store.migrate();
    other = new Database(join(dir, 'muster.db'));
  });
  afterEach(async () => {
    if (other.inTransaction) other.exec('ROLLBACK');
    other.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports check-ins as unavailable (transient), then writes them once the lock is gone', async () => {
    other.exec('BEGIN IMMEDIATE');
    await expect(store.recordCheckins([checkin('a-01', '2026-01-31T12:00:00Z')])).rejects.toBeInstanceOf(StoreUnavailableError);
    // Readers are never blocked in WAL mode.
    expect(await store.applianceForToken(`mst_${'A'.repeat(43)}`)).toBeNull();
    other.exec('COMMIT');
    await store.recordCheckins([checkin('a-01', '2026-01-31T12:00:00Z')]);
    expect((await store.getAppliance('a-01'))?.id).toBe('a-01');
  });
});
