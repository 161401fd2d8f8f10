import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerCommands } from '../../controller/cli/commands/index.js';
import { parseListen } from '../../controller/cli/commands/controller.js';

/** The `muster` subcommand `name` as the CLI defines it. */
export async function cliCommand(name: string): Promise<Command> {
  const program = new Command('muster');
  await registerCommands(program);
  const command = program.commands.find((c) => c.name() === name);
  if (!command) throw new Error(`muster ${name} does not exist`);
  return command;
}

/** The long flags of `muster name`. */
export async function cliFlags(name: string): Promise<Set<string>> {
  return new Set((await cliCommand(name)).options.map((o) => o.long as string));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

/** Every `MUSTER_…` environment variable the controller's code reads (flag defaults and direct reads). */
export function controllerEnvironment(): Set<string> {
  const names = sourceFiles('controller').flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/\b(MUSTER_[A-Z_]+)\b/g)].map((m) => m[1] as string));
  return new Set(names);
}

/** The port of the `--listen HOST:PORT` flag among `args`. */
export function listenPort(args: readonly string[]): number {
  const at = args.indexOf('--listen');
  if (at < 0) throw new Error('no --listen');
  return parseListen(args[at + 1] as string).port;
}

/** The paths of the probe routes the API serves. */
export function probeRoutes(): Set<string> {
  const text = readFileSync('controller/api/status-routes.ts', 'utf8');
  return new Set([...text.matchAll(/app\.get\('(\/[a-z]+z)'/g)].map((m) => m[1] as string));
}
