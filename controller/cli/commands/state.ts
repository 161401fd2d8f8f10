import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseStateText } from '../../observed/read-state.js';
import { dbOption } from '../db-option.js';
import { CliError, EXIT_USAGE } from '../exit-codes.js';
import { withStore } from '../open-cli-store.js';

async function readInput(file: string): Promise<string> {
  if (file !== '-') return readFile(file, 'utf8');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Registers `muster state export [--out FILE]` (the observed state as one State document, for
 * `plan --state` and offline review) and `muster state import FILE|-` (replaces appliances and rollouts;
 * proofs travel as counts and are left alone).
 */
export function registerStateCommand(program: Command): void {
  const state = program.command('state').description('Export or import the observed state as a State document');
  state
    .command('export')
    .description('Write the observed state as JSON (stdout by default)')
    .addOption(dbOption())
    .option('--out <file>', 'write to this file instead of stdout')
    .action(async (flags: { db: string; out?: string }) => {
      await withStore(flags.db, async (store, clock) => {
        const { state: doc } = await store.loadObserved(new Date(clock.now()));
        const text = `${JSON.stringify(doc, null, 2)}\n`;
        if (flags.out) await writeFile(flags.out, text);
        else process.stdout.write(text);
        process.stderr.write(`exported ${doc.appliances.length} appliances and ${doc.rollouts.length} rollouts\n`);
      });
    });
  state
    .command('import')
    .description('Replace the observed appliances and rollouts with a State document')
    .argument('<file>', 'a State document, or - for stdin')
    .addOption(dbOption())
    .action(async (file: string, flags: { db: string }) => {
      const text = await readInput(file).catch((err: unknown) => {
        throw new CliError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`, EXIT_USAGE);
      });
      const parsed = parseStateText(text);
      if (!parsed.ok) throw new CliError(`${file} is not a valid State document:\n  ${parsed.errors.join('\n  ')}`, EXIT_USAGE);
      await withStore(
        flags.db,
        async (store) => {
          const { version } = await store.importState(parsed.state);
          process.stderr.write(`imported ${parsed.state.appliances.length} appliances and ${parsed.state.rollouts.length} rollouts (state version ${version})\n`);
        },
        { create: true },
      );
    });
}
