import { Command } from 'commander';
import { declareRunFlags, runAgent } from './run-command.js';
import { declareSimulate, runSimulate } from './simulate-command.js';

/**
 * The `muster-agent` command line, not yet parsed: the agent's own flags on the root command and
 * `muster-agent simulate`. Errors surface as CommanderError (exitOverride) for the caller to map.
 */
export function agentProgram(): Command {
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
  return program;
}
