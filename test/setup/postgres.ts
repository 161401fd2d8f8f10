import type { TestProject } from 'vitest/node';
import { startOwnPostgres } from '../helpers/embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

/**
 * Starts one real PostgreSQL for the whole test run (embedded-postgres), unless MUSTER_TEST_PG_URL
 * points at one already. Test files create their own databases in it (test/helpers/pg.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const given = process.env.MUSTER_TEST_PG_URL;
  if (given) {
    project.provide('pgUrl', given);
    return async () => {};
  }
  const server = await startOwnPostgres();
  project.provide('pgUrl', server.url);
  return () => server.remove();
}
