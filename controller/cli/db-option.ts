import { Option } from 'commander';
import { DEFAULT_DB } from '../store/open-store.js';

/** `--db DB`: a PostgreSQL URL or a SQLite path; `MUSTER_DB` sets it too; `./muster.db` by default. */
export function dbOption(): Option {
  return new Option('--db <db>', 'PostgreSQL URL (postgres://…) or SQLite file').env('MUSTER_DB').default(DEFAULT_DB);
}
