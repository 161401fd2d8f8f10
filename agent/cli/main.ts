#!/usr/bin/env node
import { CommanderError } from 'commander';
import { agentProgram } from './program.js';
import { UsageError } from './usage.js';

const EXIT_FAILED = 1;
const EXIT_USAGE = 2;

try {
  await agentProgram().parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
  process.stderr.write(`muster-agent: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(err instanceof UsageError ? EXIT_USAGE : EXIT_FAILED);
}
