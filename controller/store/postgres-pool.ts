import pg from 'pg';

export interface PostgresPoolOptions {
  /** Pooled connections (default 10). */
  poolSize?: number;
  /** How long to wait for a connection before reporting the store unavailable (default 5000 ms). */
  connectTimeoutMs?: number;
  /**
   * Whether the server may run one of this pool's queries on several processes at once (its
   * `max_parallel_workers_per_gather`; default true, the server's own setting). The reconcile worker
   * says false: its read of a whole fleet was planned in parallel (a parallel scan and sort of every
   * appliance), and on a server that shares its cores with the check-ins' commits that took every
   * core for the length of the read, stalling check-ins at the start of each pass. That read now goes
   * through a cursor, which PostgreSQL never plans in parallel; the setting keeps the pass's other
   * large reads (the counts over every pending proof) on one process, one core at most, as well.
   */
  parallelQueries?: boolean;
}

/**
 * The connection pool of a PostgreSQL store. Settings a store needs on every connection go in the
 * connection's start-up options (`-c name=value`, as `PGOPTIONS` would), after any the URL or
 * `PGOPTIONS` already give, so they hold from the first statement with no extra round trip.
 */
export function createPostgresPool(url: string, options: PostgresPoolOptions = {}): pg.Pool {
  return new pg.Pool({
    connectionString: options.parallelQueries === false ? withServerSetting(url, 'max_parallel_workers_per_gather', '0') : url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  });
}

/**
 * The URL with `-c name=value` added to its start-up options (its own `options`, else `PGOPTIONS`).
 * Only the query string is rewritten: a URL naming a socket directory (`postgres://user@/db?host=…`)
 * is no WHATWG URL, though pg reads it.
 */
export function withServerSetting(url: string, name: string, value: string): string {
  const at = url.indexOf('?');
  const params = new URLSearchParams(at === -1 ? '' : url.slice(at + 1));
  const given = params.get('options') ?? process.env.PGOPTIONS ?? '';
  params.set('options', `${given} -c ${name}=${value}`.trim());
  return `${at === -1 ? url : url.slice(0, at)}?${params.toString()}`;
}
