import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cursorBatches, withTransaction } from '../../controller/store/postgres-rows.js';
import { createTestDatabase } from '../helpers/pg.js';

describe('PostgreSQL rows through a cursor', () => {
  let db: { url: string; drop: () => Promise<void> };
  let pool: pg.Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = new pg.Pool({ connectionString: db.url, max: 1 });
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  /** The batches of `generate_series(1, count)` read `batch` at a time, twice in one transaction (the cursor closed between). */
  const batchesOf = (count: number, batch: number) =>
    withTransaction(pool, async (client) => {
      const reads: number[][][] = [];
      for (let read = 0; read < 2; read++) {
        const got: number[][] = [];
        for await (const rows of cursorBatches<{ n: number }>(client, 'numbers', `SELECT n FROM generate_series(1, ${count}) AS n`, batch)) got.push(rows.map((r) => r.n));
        reads.push(got);
      }
      return reads;
    });

  it.each([
    { count: 7, batch: 3, sizes: [3, 3, 1] },
    { count: 6, batch: 3, sizes: [3, 3] },
    { count: 2, batch: 3, sizes: [2] },
    { count: 0, batch: 3, sizes: [] },
  ])('reads $count rows $batch at a time as batches of $sizes, in order, and closes its cursor', async ({ count, batch, sizes }) => {
    const [first, second] = await batchesOf(count, batch);
    expect(first?.map((b) => b.length)).toEqual(sizes);
    expect(first?.flat()).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    expect(second).toEqual(first);
  });
});
