#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { declareRunFlags, runAgent } from './run-command.js';
import { declareSimulate, runSimulate } from './simulate-command.js';
import { UsageError } from './usage.js';

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

const program = new Command('muster-agent')
  .description('The Muster appliance agent: checks in, installs the releases it is told to, applies retention')
  .version(process.env.npm_package_version ?? '0.1.0')
  .enablePositionalOptions()
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) });

declareRunFlags(program).action(async (flags) => {
  process.exitCode = await runAgent(flags);
});
declareSimulate(program, runSimulate);
for (const command of program.commands) command.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
  process.stderr.write(`muster-agent: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof UsageError ? EXIT_USAGE : EXIT_FAILED);
}
