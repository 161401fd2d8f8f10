import { stat } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { backgroundClock } from '../../../lib/clock.js';
import { loadFleetDirectory } from '../../desired/load-directory.js';
import { loadFleetFiles } from '../../desired/load.js';
import { parseDuration } from '../../desired/quantities.js';
import type { LoadResult } from '../../desired/types.js';
import { emptyState, readStateFile } from '../../observed/read-state.js';
import type { StateDocument } from '../../observed/state-schema.js';
import { paletteFor } from '../../plan/colour.js';
import { annotationBase } from '../../plan/annotation-base.js';
import { renderGithub } from '../../plan/render-github.js';
import { renderJson } from '../../plan/render-json.js';
import { renderMarkdown } from '../../plan/render-markdown.js';
import { renderText } from '../../plan/render-text.js';
import { buildPlanReport, type PlanReport } from '../../plan/report.js';
import { readFilesAtRef } from '../../sources/git-files.js';
import { CliError, EXIT_INVALID, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';
import { withStore } from '../open-cli-store.js';

const FORMATS = ['text', 'json', 'markdown', 'github'] as const;
type Format = (typeof FORMATS)[number];

interface PlanOptions {
  repo: string;
  base?: string;
  state?: string;
  db?: string;
  now?: string;
  assumeUpdate?: string;
  format: Format;
}

/**
 * The observed state from a store, for `plan --db`: read, never written. A database that cannot be
 * opened is an unreadable auxiliary input (exit 2), like an unreadable --state file.
 */
export async function loadObservedFromDb(db: string, now: Date): Promise<StateDocument> {
  try {
    return await withStore(db, async (store) => (await store.loadObserved(now)).state);
  } catch (err) {
    throw new CliError(`--db ${db}: ${err instanceof Error ? err.message : String(err)}`, EXIT_USAGE);
  }
}

/**
 * Registers `muster plan --repo DIR [--base REF] [--state FILE | --db DB] [--now ISO]
 * [--assume-update DURATION] [--format …]`: plans the working tree of DIR against the observed state (an empty fleet without --state) at
 * --now, prints the plan in the chosen format on stdout, and exits 0 when the head is valid, 1
 * when it is not, 2 on a usage error or an unreadable --state, --repo or --base.
 */
export function registerPlanCommand(program: Command): void {
  program
    .command('plan')
    .description('Show what the controller would do: statuses, stuck appliances and why, findings and actions')
    .requiredOption('--repo <dir>', 'the fleet repository (a directory; a git checkout for --base)')
    .option('--base <ref>', 'also load the desired state at this git ref and show what the head changes')
    .option('--state <file>', 'the observed state as a State document (muster state export)')
    .option('--db <db>', 'read the observed state from a store (SQLite path or postgres:// URL)')
    .option('--now <iso>', 'plan for this time instead of the clock (RFC 3339)')
    .option('--assume-update <duration>', 'forecast with this update time (e.g. 45m) instead of the observed median')
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('text'))
    .action(async (opts: PlanOptions) => {
      const now = parseNow(opts.now);
      const assumeUpdateMs = parseAssumeUpdate(opts.assumeUpdate);
      if (opts.state && opts.db) throw new CliError('give --state or --db, not both', EXIT_USAGE);
      const [head, observed] = await Promise.all([loadHead(opts.repo), loadObserved(opts, now)]);
      const base = opts.base ? { ref: opts.base, result: await loadBase(opts.repo, opts.base) } : null;
      const report = buildPlanReport({ head, base, observed, now, assumeUpdateMs });
      process.stdout.write(render(report, opts));
      const p = report.plan;
      process.stderr.write(
        head.ok
          ? `planned revision ${p.revision}: ${p.rollouts.length} rollouts, ${p.actions.length} actions, ${p.findings.length} findings\n`
          : `the desired state is invalid: ${p.errors.length} ${p.errors.length === 1 ? 'error' : 'errors'}\n`,
      );
      process.exitCode = head.ok ? EXIT_OK : EXIT_INVALID;
    });
}

function parseNow(text: string | undefined): Date {
  if (text === undefined) return new Date(backgroundClock.now());
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms)) throw new CliError(`--now ${text}: not an RFC 3339 time such as 2026-01-31T12:00:00Z`, EXIT_USAGE);
  return new Date(ms);
}

function parseAssumeUpdate(text: string | undefined): number | null {
  if (text === undefined) return null;
  const ms = parseDuration(text);
  if (ms === null || ms <= 0) throw new CliError(`--assume-update ${text}: not a positive duration such as 45m or 2h`, EXIT_USAGE);
  return ms;
}

async function loadHead(repo: string): Promise<LoadResult> {
  const info = await stat(repo).catch(() => null);
  if (!info?.isDirectory()) throw new CliError(`--repo ${repo}: not a directory`, EXIT_USAGE);
  try {
    return await loadFleetDirectory(repo);
  } catch (err) {
    throw new CliError(`cannot read ${repo}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, EXIT_USAGE);
  }
}

async function loadBase(repo: string, ref: string): Promise<LoadResult> {
  try {
    const { revision, files } = await readFilesAtRef(repo, ref);
    return loadFleetFiles(files, revision);
  } catch (err) {
    throw new CliError(`--base ${ref}: ${err instanceof Error ? err.message : String(err)}`, EXIT_USAGE);
  }
}

async function loadObserved(opts: PlanOptions, now: Date): Promise<StateDocument> {
  if (opts.db) return loadObservedFromDb(opts.db, now);
  if (!opts.state) return emptyState(now);
  const result = await readStateFile(opts.state);
  if (!result.ok) throw new CliError(`--state ${opts.state} is not a valid State document:\n  ${result.errors.join('\n  ')}`, EXIT_USAGE);
  return result.state;
}

function render(report: PlanReport, opts: PlanOptions): string {
  switch (opts.format) {
    case 'json':
      return renderJson(report);
    case 'markdown':
      return renderMarkdown(report);
    case 'github':
      return renderGithub(report, opts.repo, annotationBase(opts.repo));
    default:
      return renderText(report, paletteFor(process.stdout));
  }
}
