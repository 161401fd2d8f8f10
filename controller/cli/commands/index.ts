import type { Command } from 'commander';

/** Adds every `muster` subcommand to the program; each lives in its own file beside this one. */
export function registerCommands(_program: Command): void {
  // Commands register here as they are built.
}
