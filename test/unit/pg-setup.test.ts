import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/pg.js';

describe('test PostgreSQL', () => {
  it('gives each caller its own real database', async () => {
    const db = await createTestDatabase();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ db: string }>('select current_database() as db');
    await client.end();
    await db.drop();
    expect(rows[0]?.db).toMatch(/^muster_test_[0-9a-f]{12}$/);
  });
});
