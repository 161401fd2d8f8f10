import type { Command } from 'commander';

type Register = (program: Command) => void;

// Each command's module is loaded only when it runs (or for help): a command pulls in what it needs —
// the stores' drivers, fastify, the loader — and `muster validate` should not pay for `muster controller`.
const COMMANDS: Record<string, () => Promise<Register>> = {
  appliance: async () => (await import('./appliance.js')).registerApplianceCommand,
  controller: async () => (await import('./controller.js')).registerControllerCommand,
  describe: async () => (await import('./describe.js')).registerDescribeCommand,
  notifications: async () => (await import('./notifications.js')).registerNotificationsCommand,
  events: async () => (await import('./events.js')).registerEventsCommand,
  operator: async () => (await import('./operator.js')).registerOperatorCommand,
  ots: async () => (await import('./ots.js')).registerOtsCommand,
  plan: async () => (await import('./plan.js')).registerPlanCommand,
  proofs: async () => (await import('./proofs.js')).registerProofsCommand,
  state: async () => (await import('./state.js')).registerStateCommand,
  status: async () => (await import('./status.js')).registerStatusCommand,
  validate: async () => (await import('./validate.js')).registerValidateCommand,
};

/**
 * Adds `muster` subcommands to the program: only the one `argv` names when it names one, every one
 * otherwise (help, a mistyped name). Each lives in its own file beside this one.
 */
export async function registerCommands(program: Command, argv: readonly string[] = []): Promise<void> {
  const named = argv.find((arg) => !arg.startsWith('-'));
  const chosen = named !== undefined && named in COMMANDS ? [named] : Object.keys(COMMANDS);
  for (const register of await Promise.all(chosen.map((name) => (COMMANDS[name] as () => Promise<Register>)()))) register(program);
}
