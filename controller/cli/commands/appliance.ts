import { Option, type Command } from 'commander';
import { dbOption } from '../db-option.js';
import { CliError, EXIT_INVALID, EXIT_USAGE } from '../exit-codes.js';
import { declaredAppliances, withStore } from '../open-cli-store.js';

interface TokenFlags {
  rotate?: boolean;
  all?: boolean;
  repo?: string;
  db: string;
  format: 'text' | 'json';
}

/** Issues the token of one declared appliance; prints it alone on stdout. */
async function issueOne(id: string, flags: TokenFlags): Promise<void> {
  await withStore(
    flags.db,
    async (store) => {
      const declared = await declaredAppliances(store, flags.repo);
      if (!declared.includes(id)) throw new CliError(`${id} is not a declared appliance: add it to the fleet repository first`, EXIT_INVALID);
      const token = await store.issueToken(id, { rotate: flags.rotate ?? false });
      if (!token) throw new CliError(`${id} already has a token: use --rotate to replace it (the old one stops working)`, EXIT_INVALID);
      process.stdout.write(flags.format === 'json' ? `${JSON.stringify({ appliance: id, token })}\n` : `${token}\n`);
      process.stderr.write(`issued a token for ${id}${flags.rotate ? ' (the previous one no longer works)' : ''}\n`);
    },
    { create: true },
  );
}

/** Issues tokens for every declared appliance that has none, in one transaction. */
async function issueAll(flags: TokenFlags): Promise<void> {
  await withStore(
    flags.db,
    async (store) => {
      const declared = await declaredAppliances(store, flags.repo);
      const tokens = await store.issueTokens(declared, { rotate: false });
      process.stdout.write(
        flags.format === 'json' ? `${JSON.stringify({ tokens }, null, 2)}\n` : tokens.map((t) => `${t.appliance}\t${t.token}\n`).join(''),
      );
      process.stderr.write(`issued ${tokens.length} tokens; ${declared.length - tokens.length} appliances already had one\n`);
    },
    { create: true },
  );
}

/**
 * Registers `muster appliance token ID [--rotate]` and `muster appliance token --all`: tokens only for
 * appliances declared in the last applied desired state (or in `--repo DIR`); the store keeps only
 * their sha256.
 */
export function registerApplianceCommand(program: Command): void {
  const appliance = program.command('appliance').description('Manage appliances: tokens for check-in');
  appliance
    .command('token')
    .description('Issue a check-in token: printed once, stored only as its hash')
    .argument('[id]', 'the appliance (its metadata.name)')
    .option('--rotate', 'replace the existing token (the old one stops working)')
    .option('--all', 'issue tokens for every declared appliance that has none')
    .option('--repo <dir>', 'take the declared appliances from this fleet repository instead of the store')
    .addOption(dbOption())
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (id: string | undefined, flags: TokenFlags) => {
      if (flags.all && id) throw new CliError('give an appliance id or --all, not both', EXIT_USAGE);
      if (flags.all) return issueAll(flags);
      if (!id) throw new CliError('name the appliance (muster appliance token ID) or pass --all', EXIT_USAGE);
      return issueOne(id, flags);
    });
}
