import { Option, type Command } from 'commander';
import { subjectText } from '../../notify/format.js';
import type { OutboxRow, OutboxStats } from '../../store/outbox.js';
import { dbOption } from '../db-option.js';
import { CliError, EXIT_USAGE } from '../exit-codes.js';
import { withStore } from '../open-cli-store.js';

interface Flags {
  db: string;
  format: 'text' | 'json';
  pending?: boolean;
  limit: string;
}

/** Where a row stands, in a word and its time: delivered, pending (next attempt) or given up. */
export function rowState(row: OutboxRow): string {
  if (row.deliveredAt) return `delivered ${row.deliveredAt}`;
  if (row.gaveUpAt) return `GAVE UP ${row.gaveUpAt}`;
  return row.attempts ? `pending, attempt ${row.attempts + 1} at ${row.nextAttemptAt}` : `pending since ${row.createdAt}`;
}

/** The outbox as text: a summary line, then one line per row, newest first. */
export function renderOutbox(stats: OutboxStats, rows: readonly OutboxRow[]): string {
  const oldest = stats.oldestPendingAt ? ` (oldest ${stats.oldestPendingAt})` : '';
  const lines = [`Notifications: ${stats.pending} pending${oldest}, ${stats.delivered} delivered, ${stats.gaveUp} given up`];
  for (const r of rows) {
    const what = r.event.event === 'rollout.phase' ? `${r.event.phase}` : `${r.event.type} ${r.event.event === 'finding.opened' ? 'opened' : 'resolved'}`;
    const error = r.lastError && !r.deliveredAt ? ` — last error: ${r.lastError}` : '';
    lines.push(`${r.createdAt}  ${r.notifier}  ${what} on ${subjectText(r.event)}  ${rowState(r)}  [${r.id}]${error}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Registers `muster notifications`: the outbox, newest first, with each event's delivery state (text),
 * or `{stats, notifications}` as one JSON document. Exits 1 when the store cannot be opened, 2 on a bad flag.
 */
export function registerNotificationsCommand(program: Command): void {
  program
    .command('notifications')
    .description('The notification outbox: what was told to each Notifier, what waits and why')
    .addOption(dbOption())
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--pending', 'only events not yet delivered nor given up')
    .option('--limit <n>', 'most rows shown', '50')
    .action(async (flags: Flags) => {
      const limit = Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit must be a positive whole number, got ${flags.limit}`, EXIT_USAGE);
      await withStore(flags.db, async (store) => {
        const [stats, rows] = await Promise.all([store.outbox.stats(), store.outbox.list({ limit, pendingOnly: flags.pending ?? false })]);
        if (flags.format === 'json') process.stdout.write(`${JSON.stringify({ stats, notifications: rows }, null, 2)}\n`);
        else process.stdout.write(renderOutbox(stats, rows));
      });
    });
}
