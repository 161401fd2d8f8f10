import type pg from 'pg';
import { guarded, isUnavailable } from './postgres-errors.js';

/** Anything that runs a query: the pool (autocommit) or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.ClientBase;

/** The appliances columns in the neutral ApplianceRow shape (JSON as its original text). */
export const PG_APPLIANCE_SELECT = `id, (extract(epoch FROM last_checkin_at) * 1000)::float8 AS "lastCheckinMs", agent_version AS "agentVersion",
  image_version AS "imageVersion", update_report::text AS "update", defer_until AS "deferUntil", retention::text AS "retention"`;

/**
 * Runs one statement as a named prepared statement (parsed and planned once per connection, not per
 * call) and returns its rows: for the statements the API runs many times a second.
 */
export async function preparedRows<R>(db: Queryable, name: string, sql: string, params: unknown[]): Promise<R[]> {
  const result = await guarded(() => db.query({ name, text: sql, values: params }));
  return result.rows as R[];
}

/** Runs one statement and returns its rows. */
export async function rows<R>(db: Queryable, sql: string, params: unknown[] = []): Promise<R[]> {
  const result = await guarded(() => db.query(sql, params));
  return result.rows as R[];
}

/**
 * Rows per fetch when a cursor reads a whole table (the fleet's appliances, its assignments, the open
 * findings): the rows of a fetch die young once used, where a result of all 100,000 or 300,000
 * outlived V8's young generation (as SQLite's rows, streamed for that reason).
 */
export const PG_FETCH_ROWS = 2_000;

/**
 * The rows of `sql`, `batch` at a time, through a cursor named `cursor` (so inside a transaction): a
 * batch is garbage once its rows are used, where a result of every row would be held whole until the
 * last arrived. For the reads of the whole fleet.
 */
export async function* cursorBatches<R>(client: pg.ClientBase, cursor: string, sql: string, batch: number): AsyncGenerator<R[]> {
  await rows(client, `DECLARE ${cursor} NO SCROLL CURSOR FOR ${sql}`);
  for (;;) {
    const got = await rows<R>(client, `FETCH FORWARD ${batch} FROM ${cursor}`);
    if (got.length > 0) yield got;
    if (got.length < batch) break;
  }
  await rows(client, `CLOSE ${cursor}`);
}

/**
 * Runs `work` in one transaction on a pooled client: committed when it resolves, rolled back when it
 * throws. A client whose connection broke is destroyed rather than returned to the pool.
 */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await guarded(() => pool.connect());
  let broken: Error | undefined;
  // A checked-out client has no listener of the pool's: a connection the server ends between two
  // statements would otherwise be an uncaught 'error' event that ends the process. The next
  // statement fails with it anyway; here it only marks the client broken.
  const onError = (err: Error) => (broken = err);
  client.on('error', onError);
  try {
    await guarded(() => client.query(begin));
    const result = await work(client);
    await guarded(() => client.query('COMMIT'));
    return result;
  } catch (err) {
    if (isUnavailable(err) || isUnavailable((err as { cause?: unknown }).cause)) broken = err as Error;
    else await client.query('ROLLBACK').catch((rollbackErr: unknown) => (broken = rollbackErr as Error));
    throw err;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
