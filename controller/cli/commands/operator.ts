import type { Command } from 'commander';
import { dbOption } from '../db-option.js';
import { CliError, EXIT_INVALID, EXIT_USAGE } from '../exit-codes.js';
import { withStore } from '../open-cli-store.js';

/** An operator's name: a person or a team, as it will appear in logs. */
const OPERATOR_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/**
 * Registers `muster operator token NAME [--rotate]`: issues the credential that opens the status page
 * (and every route that shows fleet data), prints it alone on stdout; the store keeps only its sha256.
 */
export function registerOperatorCommand(program: Command): void {
  const operator = program.command('operator').description('Manage operators: credentials for the status page');
  operator
    .command('token')
    .description('Issue a status-page credential: printed once, stored only as its hash')
    .argument('<name>', 'who it is for (a person or a team), e.g. alice or oncall')
    .option('--rotate', 'replace the existing credential (the old one stops working)')
    .addOption(dbOption())
    .action(async (name: string, flags: { rotate?: boolean; db: string }) => {
      if (!OPERATOR_NAME.test(name)) {
        throw new CliError(`operator name ${JSON.stringify(name)} must be 1-64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit`, EXIT_USAGE);
      }
      await withStore(
        flags.db,
        async (store) => {
          const token = await store.issueOperatorToken(name, { rotate: flags.rotate ?? false });
          if (!token) throw new CliError(`${name} already has a credential: use --rotate to replace it (the old one stops working)`, EXIT_INVALID);
          process.stdout.write(`${token}\n`);
          process.stderr.write(`issued a status-page credential for ${name}${flags.rotate ? ' (the previous one no longer works)' : ''}\n`);
        },
        { create: true },
      );
    });
}
