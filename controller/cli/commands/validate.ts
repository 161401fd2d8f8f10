import { Option, type Command } from 'commander';
import { loadFleetDirectory } from '../../desired/load-directory.js';
import { formatLoadError } from '../../desired/format-error.js';
import type { LoadResult } from '../../desired/types.js';
import { CliError, EXIT_INVALID, EXIT_OK, EXIT_USAGE } from '../exit-codes.js';


/** What `validate` prints on stdout for a load result, in the chosen format. */
export function renderValidation(result: LoadResult, format: 'text' | 'json'): string {
  const errors = result.ok ? [] : result.errors;
  const objects = result.ok ? result.state.objects.length : 0;
  if (format === 'json') return `${JSON.stringify({ errors, objects }, null, 2)}\n`;
  if (result.ok) return `ok: ${objects} objects\n`;
  return errors.map((e) => `${formatLoadError(e)}\n`).join('');
}

/** `1 Fleet, 12 Appliance, 3 Release…`: what a valid repository declares, for the log. */
function summary(result: LoadResult): string {
  if (!result.ok) {
    const files = new Set(result.errors.map((e) => e.file)).size;
    return `invalid: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}`;
  }
  const counts = new Map<string, number>();
  for (const o of result.state.objects) counts.set(o.kind, (counts.get(o.kind) ?? 0) + 1);
  return `revision ${result.state.revision}: ${[...counts].map(([kind, n]) => `${n} ${kind}`).join(', ') || 'no objects'}`;
}

/**
 * Registers `muster validate DIR [--format text|json]`: loads the fleet repository in DIR, prints
 * each error as `file:line:column: path: message` (or `ok: N objects`) on stdout, a summary on
 * stderr, and exits 0 when valid, 1 when invalid, 2 when DIR cannot be read or a flag is wrong.
 */
export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('Check a fleet repository: every error with its file:line:column and field path')
    .argument('<dir>', 'the fleet repository directory')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (dir: string, opts: { format: 'text' | 'json' }) => {
      let result: LoadResult;
      try {
        result = await loadFleetDirectory(dir);
      } catch (err) {
        throw new CliError(`cannot read ${dir}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, EXIT_USAGE);
      }
      process.stdout.write(renderValidation(result, opts.format));
      process.stderr.write(`${summary(result)}\n`);
      process.exitCode = result.ok ? EXIT_OK : EXIT_INVALID;
    });
}
