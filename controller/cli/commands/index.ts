import type { Command } from 'commander';
import { registerControllerCommand } from './controller.js';
import { registerOtsCommand } from './ots.js';
import { registerValidateCommand } from './validate.js';

/** Adds every `muster` subcommand to the program; each lives in its own file beside this one. */
export function registerCommands(program: Command): void {
  // Commands register here as they are built.
  registerControllerCommand(program);
  registerOtsCommand(program);
  registerValidateCommand(program);
}
