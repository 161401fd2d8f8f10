import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import pg from 'pg';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startController } from '../../controller/runtime/controller.js';
import { clockReading } from '../../lib/clock.js';
import { smallFleetFiles, writeFiles } from '../helpers/fleet.js';
import { createTestDatabase } from '../helpers/pg.js';
import { tempDir } from '../helpers/tmp.js';

/** Far from the real time, so a stamp taken from the system clock instead cannot pass for it. */
const T0 = Date.parse('2031-06-01T08:00:00Z');
const silent = pino({ level: 'silent' });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The instants the store stamped itself: each applied migration, and the token issued through it. */
interface Stamps {
  migrations: number[];
  token: number;
}

type Reader = (sql: string) => Promise<Record<string, unknown>[]>;

async function stampsOf(read: Reader): Promise<Stamps> {
  const migrations = (await read('SELECT applied_at FROM schema_migrations')).map((r) => new Date(r.applied_at as string).getTime());
  const [token] = await read("SELECT created_at FROM tokens WHERE appliance = 'lab-01'");
  return { migrations, token: new Date(token?.created_at as string).getTime() };
}

/** Starts a controller on `db` with a clock reading T0, issues a token through its store, and returns what the store stamped. */
async function stampsWithControllerClock(db: string, read: () => Reader): Promise<Stamps> {
  const repo = tempDir();
  cleanups.push(repo.remove);
  writeFiles(repo.dir, smallFleetFiles());
  const controller = await startController({ repo: repo.dir, db, host: '127.0.0.1', port: 0, logger: silent, intervalMs: 60_000, clock: clockReading(() => T0) });
  cleanups.push(() => controller.stop());
  await controller.store.issueToken('lab-01');
  return stampsOf(read());
}

describe("the store stamps with the controller's clock", () => {
  it('on SQLite: migrations applied and tokens issued at the clock\'s time', async () => {
    const dir = tempDir();
    const db = `${dir.dir}/muster.db`;
    cleanups.push(() => rmSync(dir.dir, { recursive: true, force: true }));
    const stamps = await stampsWithControllerClock(db, () => {
      const raw = new Database(db, { readonly: true });
      cleanups.push(() => void raw.close());
      return async (sql) => raw.prepare(sql).all() as Record<string, unknown>[];
    });
    expect(stamps.migrations.length).toBeGreaterThan(0);
    expect(stamps).toEqual({ migrations: stamps.migrations.map(() => T0), token: T0 });
  });

  it('on PostgreSQL: migrations applied and tokens issued at the clock\'s time', async () => {
    const database = await createTestDatabase();
    cleanups.push(database.drop);
    const raw = new pg.Client({ connectionString: database.url });
    await raw.connect();
    cleanups.push(() => raw.end());
    const stamps = await stampsWithControllerClock(database.url, () => async (sql) => (await raw.query(sql)).rows);
    expect(stamps.migrations.length).toBeGreaterThan(0);
    expect(stamps).toEqual({ migrations: stamps.migrations.map(() => T0), token: T0 });
  });
});
