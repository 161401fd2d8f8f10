import { Option, type Command } from 'commander';
import { paletteFor } from '../../plan/colour.js';
import { renderText } from '../../plan/render-text.js';
import type { SourceStatus } from '../../store/store.js';
import { dbOption } from '../db-option.js';
import { CliError, EXIT_INVALID } from '../exit-codes.js';
import { withStore } from '../open-cli-store.js';

function sourceLine(status: SourceStatus | null): string {
  if (!status) return 'Source: no revision recorded yet';
  const applied = `Source: acting on ${status.lastAppliedRevision ?? '(none)'}`;
  if (!status.errors.length) return applied;
  return `${applied}; ${status.lastAttemptedRevision} REJECTED (${status.errors.length} errors, first: ${status.errors[0]?.file}:${status.errors[0]?.line}: ${status.errors[0]?.message})`;
}

/**
 * Registers `muster status`: the controller's latest plan from the store, as the plan's tables (or its
 * JSON), with the source's applied and rejected revisions.
 */
export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description("The fleet as the controller last saw it: rollouts, stuck appliances and why, findings")
    .addOption(dbOption())
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (flags: { db: string; format: 'text' | 'json' }) => {
      await withStore(flags.db, async (store) => {
        const [saved, source] = await Promise.all([store.latestPlan(), store.loadSourceStatus()]);
        if (!saved) throw new CliError('the controller has not applied a plan yet', EXIT_INVALID);
        if (flags.format === 'json') {
          process.stdout.write(`${JSON.stringify({ source, ...saved }, null, 2)}\n`);
          return;
        }
        const text = renderText({ plan: saved.plan, sources: new Map(), base: null }, paletteFor(process.stdout));
        process.stdout.write(`${sourceLine(source)}\nPlan saved ${saved.savedAt} (state version ${saved.version})\n\n${text}`);
      });
    });
}
