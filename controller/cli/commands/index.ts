import type { Command } from 'commander';
import { registerApplianceCommand } from './appliance.js';
import { registerControllerCommand } from './controller.js';
import { registerDescribeCommand } from './describe.js';
import { registerOtsCommand } from './ots.js';
import { registerProofsCommand } from './proofs.js';
import { registerPlanCommand } from './plan.js';
import { registerStateCommand } from './state.js';
import { registerStatusCommand } from './status.js';
import { registerValidateCommand } from './validate.js';

/** Adds every `muster` subcommand to the program; each lives in its own file beside this one. */
export function registerCommands(program: Command): void {
  // Commands register here as they are built.
  registerApplianceCommand(program);
  registerControllerCommand(program);
  registerDescribeCommand(program);
  registerOtsCommand(program);
  registerProofsCommand(program);
  registerPlanCommand(program);
  registerStateCommand(program);
  registerStatusCommand(program);
  registerValidateCommand(program);
}
