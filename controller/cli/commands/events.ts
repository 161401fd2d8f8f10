import { Option, type Command } from 'commander';
import { auditTrail, type AuditEntry } from '../../audit/trail.js';
import { table } from '../../plan/render-text.js';
import { dbOption } from '../db-option.js';
import { CliError, EXIT_USAGE } from '../exit-codes.js';
import { withStore } from '../open-cli-store.js';

/** How far back each list is read: the newest this many actions and check-ins. */
const READ_LIMIT = 10_000;

interface EventsOptions {
  db: string;
  appliance?: string;
  rollout?: string;
  since?: string;
  format: 'text' | 'json';
}

/**
 * Registers `muster events [--appliance ID] [--rollout NAME] [--since ISO] [--format text|json]`:
 * prints the audit trail the store keeps, oldest first — revisions applied and who made them,
 * actions applied with the revision they were planned from and its author, findings opened and resolved, and (with --appliance) each change in what the
 * appliance reported. Exit 2 on a bad --since.
 */
export function registerEventsCommand(program: Command): void {
  program
    .command('events')
    .description('The audit trail: actions applied and by which revision, findings opened and resolved, changes in what appliances report')
    .addOption(dbOption())
    .option('--appliance <id>', 'only what concerns this appliance (its check-in history included)')
    .option('--rollout <name>', 'only what concerns this rollout')
    .option('--since <iso>', 'only entries at or after this time (RFC 3339)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: EventsOptions) => {
      const sinceMs = opts.since === undefined ? null : Date.parse(opts.since);
      if (sinceMs !== null && Number.isNaN(sinceMs)) throw new CliError(`--since ${opts.since}: not an RFC 3339 time such as 2026-01-31T12:00:00Z`, EXIT_USAGE);
      const entries = await withStore(opts.db, async (store) => {
        const query = { limit: READ_LIMIT, ...(opts.rollout ? { rollout: opts.rollout } : {}), ...(opts.appliance ? { appliance: opts.appliance } : {}) };
        const [revisions, events, findings, checkins] = await Promise.all([
          store.listRevisions(),
          store.listEvents(query),
          store.listFindings({ includeResolved: true }),
          opts.appliance ? store.listCheckins(opts.appliance, READ_LIMIT) : Promise.resolve([]),
        ]);
        return auditTrail({ revisions, events, findings, checkins, rollout: opts.rollout, appliance: opts.appliance, sinceMs });
      });
      process.stdout.write(opts.format === 'json' ? `${JSON.stringify({ entries }, null, 2)}\n` : renderTrail(entries));
    });
}

function renderTrail(entries: readonly AuditEntry[]): string {
  if (!entries.length) return 'No events.\n';
  const rows = entries.map((e) => [
    e.at,
    e.kind,
    e.type,
    [e.rollout, e.appliance].filter(Boolean).join(' ') || '-',
    e.revision ? e.revision.slice(0, 12) : '-',
    e.author ?? '-',
    e.message,
  ]);
  return `${table([['AT', 'KIND', 'TYPE', 'SUBJECT', 'REVISION', 'AUTHOR', 'MESSAGE'], ...rows]).join('\n')}\n`;
}
