import pg from 'pg';
import { afterEach, expect, it } from 'vitest';
import { withTransaction } from '../../controller/store/postgres-rows.js';
import { createTestDatabase } from '../helpers/pg.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('a transaction whose connection the server ends between two statements fails, and the process goes on', async () => {
  const { url, drop } = await createTestDatabase();
  cleanups.push(drop);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => {});
  cleanups.push(() => pool.end());
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  cleanups.push(() => admin.end());
  const uncaught: unknown[] = [];
  const record = (err: unknown) => uncaught.push(err);
  process.on('uncaughtException', record);
  cleanups.push(async () => void process.off('uncaughtException', record));

  const outcome = withTransaction(pool, async (client) => {
    const [row] = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows;
    await admin.query('SELECT pg_terminate_backend($1)', [row?.pid]);
    // The server's goodbye arrives while no statement of this client is in flight.
    await new Promise((resolve) => setTimeout(resolve, 200));
    await client.query('SELECT 1');
  });

  await expect(outcome).rejects.toThrow();
  expect(uncaught).toEqual([]);
  // The broken client was not handed back: the pool still answers.
  expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
});
