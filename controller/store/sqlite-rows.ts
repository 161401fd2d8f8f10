import { StoreUnavailableError } from './errors.js';
import type { ApplianceRow } from './observed-document.js';

/** The appliances columns, in the order applianceFromSqlite reads them. */
export const SQLITE_APPLIANCE_COLUMNS = 'id, last_checkin_at, agent_version, image_version, update_report, defer_until, retention';

/** An appliances row (columns in SQLITE_APPLIANCE_COLUMNS order, read raw) in the neutral shape. */
export function applianceFromSqlite(row: unknown[]): ApplianceRow {
  const [id, lastCheckinMs, agentVersion, imageVersion, update, deferUntil, retention] = row as [
    string,
    number,
    string | null,
    string | null,
    string | null,
    string | null,
    string | null,
  ];
  return { id, lastCheckinMs, agentVersion, imageVersion, update, deferUntil, retention };
}

/**
 * Runs a statement, turning "database is locked" after the busy timeout (another process held a long
 * write, such as an import) into StoreUnavailableError: transient, answered with 503 and Retry-After.
 */
export function unlessBusy<T>(operation: () => T): T {
  try {
    return operation();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) {
      throw new StoreUnavailableError(`the SQLite database is busy: ${(err as Error).message}`, err);
    }
    throw err;
  }
}
