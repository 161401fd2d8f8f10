import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresPool, withServerSetting } from '../../controller/store/postgres-pool.js';
import { PostgresStore } from '../../controller/store/postgres-store.js';
import { PG_READ_FLEET_SQL } from '../../controller/store/postgres-observed.js';
import { createTestDatabase } from '../helpers/pg.js';

// Costs that make the planner choose a parallel plan for any table, so that a small one shows what a large one would get.
const PARALLEL_IS_FREE = ['SET parallel_setup_cost = 0', 'SET parallel_tuple_cost = 0', 'SET min_parallel_table_scan_size = 0'];

describe('PostgreSQL connection pool', () => {
  let db: { url: string; drop: () => Promise<void> };
  const pools: pg.Pool[] = [];
  const pool = (options: Parameters<typeof createPostgresPool>[1]) => {
    const created = createPostgresPool(db.url, { poolSize: 3, ...options });
    pools.push(created);
    return created;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    const store = new PostgresStore(db.url);
    await store.migrate();
    await store.close();
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await db.drop();
  });

  /** The plan of the fleet read on one connection of `p`, with parallel plans made free. */
  async function fleetReadPlan(p: pg.Pool): Promise<string> {
    const client = await p.connect();
    try {
      for (const statement of PARALLEL_IS_FREE) await client.query(statement);
      const plan = await client.query(`EXPLAIN ${PG_READ_FLEET_SQL}`);
      return plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
    } finally {
      client.release();
    }
  }

  it('keeps the server parallel by default: the fleet read is planned on several processes', async () => {
    expect(await fleetReadPlan(pool({}))).toMatch(/Gather/);
  });

  it('plans every query of every connection on one process when parallel queries are off', async () => {
    const serial = pool({ parallelQueries: false });
    // Three connections at once, so the setting is seen to hold on each, not only the first.
    const settings = await Promise.all([1, 2, 3].map(() => serial.query('SELECT current_setting($1) AS value, pg_sleep(0.05)', ['max_parallel_workers_per_gather'])));
    expect(settings.map((r) => (r.rows[0] as { value: string }).value)).toEqual(['0', '0', '0']);
    expect(serial.totalCount).toBe(3);
    const plan = await fleetReadPlan(serial);
    expect(plan).not.toMatch(/Gather|Parallel/);
    expect(plan).toMatch(/Seq Scan on appliances/);
  });

  it("keeps the start-up options the URL gives beside its own", async () => {
    const url = new URL(db.url);
    url.searchParams.set('options', '-c statement_timeout=12345');
    const serial = createPostgresPool(url.toString(), { parallelQueries: false });
    pools.push(serial);
    const { rows } = await serial.query("SELECT current_setting('statement_timeout') AS timeout, current_setting('max_parallel_workers_per_gather') AS workers");
    expect(rows[0]).toEqual({ timeout: '12345ms', workers: '0' });
  });
});

describe('withServerSetting', () => {
  const setting = '-c max_parallel_workers_per_gather=0';
  // What pg itself reads from the URL, so the table checks the meaning, not the spelling.
  const read = (url: string) => {
    const { host, database, password, options, application_name } = (new pg.Client(url) as unknown as { connectionParameters: Record<string, unknown> }).connectionParameters;
    return { host, database, password, options, application_name };
  };
  const rows = [
    { name: 'a plain URL', url: 'postgres://u:p@127.0.0.1:5432/db', want: { host: '127.0.0.1', database: 'db', password: 'p', options: setting } },
    { name: 'a socket directory', url: 'postgres://u@/db?host=/var/run/postgresql', want: { host: '/var/run/postgresql', database: 'db', options: setting } },
    {
      name: 'options and other parameters of its own',
      url: 'postgresql://u:p%40x@h/db?application_name=muster&options=-c%20search_path%3Dmuster',
      want: { host: 'h', database: 'db', password: 'p@x', options: `-c search_path=muster ${setting}`, application_name: 'muster' },
    },
  ];
  it.each(rows)('keeps what $name says and adds the setting', ({ url, want }) => {
    expect(read(withServerSetting(url, 'max_parallel_workers_per_gather', '0'))).toMatchObject(want);
  });
});
