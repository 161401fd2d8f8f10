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
