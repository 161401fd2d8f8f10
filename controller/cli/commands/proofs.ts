import { Option, type Command } from 'commander';
import { backgroundClock, type Clock } from '../../../lib/clock.js';
import { loadFleetDirectory } from '../../desired/load-directory.js';
import type { OtsPolicy } from '../../desired/types.js';
import type { FetchLike } from '../../ots/calendar-http.js';
import { PolicyCalendars } from '../../ots/lifecycle/policy-calendars.js';
import { proofStatsDocument, renderProofStats, renderUpgradeReport } from '../../ots/lifecycle/proofs-report.js';
import { ProofUpgradeJob } from '../../ots/lifecycle/upgrade-job.js';
import type { UpgradeReport } from '../../ots/lifecycle/upgrade-outcome.js';
import { desiredFromSaved } from '../../runtime/saved-desired.js';
import { openMigratedStore } from '../../store/open-store.js';
import type { Store } from '../../store/store.js';
import { dbOption } from '../db-option.js';
import { CliError, EXIT_INVALID, EXIT_USAGE } from '../exit-codes.js';

type Format = 'text' | 'json';

export interface ProofsUpgradeFlags {
  db: string;
  repo?: string;
  includeExpired?: boolean;
}

/** What the command runs on besides its flags: the HTTP layer to the calendars and the clock (tests inject both). */
export interface ProofsUpgradeDeps {
  fetch?: FetchLike;
  clock?: Clock;
}

/**
 * One upgrade pass now, as the controller's job runs it (up to the policy's `upgradeBatch`
 * proofs, only the policy's calendars), with the OtsPolicy of `repo` or, without it, of the
 * store's last applied desired state; with `includeExpired`, expired proofs are asked about too.
 * Resolves with what the pass did; rejects with a CliError when there is no policy to use.
 */
export async function upgradeProofsNow(flags: ProofsUpgradeFlags, deps: ProofsUpgradeDeps = {}): Promise<UpgradeReport> {
  const clock = deps.clock ?? backgroundClock;
  const store = await openStore(flags.db, clock);
  try {
    const policy = await policyFor(flags.repo, store);
    const calendars = new PolicyCalendars({ fetch: deps.fetch, clock });
    const job = new ProofUpgradeJob({ store, calendars, policy: () => policy });
    return await job.runOnce(new Date(clock.now()), { includeExpired: flags.includeExpired ?? false });
  } finally {
    await store.close();
  }
}

/**
 * Registers `muster proofs [--db DB] [--format text|json]` (counts by status, pending by age,
 * oldest pending, each calendar's answers) and `muster proofs upgrade [--include-expired]
 * [--repo DIR] [--db DB] [--format text|json]` (one upgrade pass now, printing what changed).
 * Both exit 1 when the store cannot be used or there is no OtsPolicy, 2 on a bad flag.
 */
export function registerProofsCommand(program: Command): void {
  const proofs = program
    .command('proofs')
    .description('OpenTimestamps proofs in the store: counts by status, age and calendar')
    .addOption(dbOption())
    .addOption(formatOption())
    .action(async (opts: { db: string; format: Format }) => {
      const store = await openStore(opts.db, backgroundClock);
      try {
        const now = new Date(backgroundClock.now());
        const stats = await store.proofStats(now);
        process.stdout.write(opts.format === 'json' ? `${JSON.stringify(proofStatsDocument(stats, now), null, 2)}\n` : renderProofStats(stats, now));
      } catch (err) {
        throw asCliError(err);
      } finally {
        await store.close();
      }
    });
  proofs
    .command('upgrade')
    .description("Run one upgrade pass now against the OtsPolicy's calendars and print what changed")
    .option('--include-expired', 'ask about expired proofs too (calendars keep commitments)', false)
    .option('--repo <dir>', "take the OtsPolicy from this fleet directory (default: the store's last applied desired state)")
    .addOption(dbOption())
    .addOption(formatOption())
    .action(async (_opts: unknown, command: Command) => {
      const opts = withParentFlags<ProofsUpgradeFlags & { format: Format }>(command, ['db', 'format']);
      const report = await upgradeProofsNow(opts).catch((err: unknown) => {
        throw asCliError(err);
      });
      process.stdout.write(opts.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderUpgradeReport(report));
    });
}

/**
 * The subcommand's options, with `names` taken from `muster proofs` when they were given there:
 * commander hands `--db` to the parent command whichever side of `upgrade` it is written on.
 */
function withParentFlags<T>(command: Command, names: string[]): T {
  const opts = { ...command.opts() };
  for (const name of names) {
    if (command.getOptionValueSource(name) !== 'cli' && command.parent?.getOptionValueSource(name) === 'cli') {
      opts[name] = command.parent.getOptionValue(name);
    }
  }
  return opts as T;
}

function formatOption(): Option {
  return new Option('--format <format>', 'output format').choices(['text', 'json']).default('text');
}

async function openStore(db: string, clock: Clock): Promise<Store> {
  try {
    return await openMigratedStore(db, { clock });
  } catch (err) {
    throw new CliError(`cannot open the store ${db}: ${err instanceof Error ? err.message : String(err)}`, EXIT_INVALID);
  }
}

/** The OtsPolicy to upgrade with: the fleet directory's, or the store's last applied desired state's. */
async function policyFor(repo: string | undefined, store: Store): Promise<OtsPolicy> {
  if (repo !== undefined) {
    const loaded = await loadFleetDirectory(repo).catch((err: unknown) => {
      throw new CliError(`cannot read ${repo}: ${err instanceof Error ? err.message : String(err)}`, EXIT_USAGE);
    });
    if (!loaded.ok) {
      const first = loaded.errors[0];
      throw new CliError(`${repo} is not a valid fleet repository (${loaded.errors.length} errors; first: ${first?.file}:${first?.line}:${first?.column}: ${first?.message}); run muster validate`, EXIT_INVALID);
    }
    if (!loaded.state.otsPolicy) throw new CliError(`${repo} declares no OtsPolicy: there are no calendars to ask`, EXIT_INVALID);
    return loaded.state.otsPolicy;
  }
  const desired = desiredFromSaved(await store.loadDesiredState());
  if (!desired) throw new CliError(`${store.description} holds no applied desired state: pass --repo DIR`, EXIT_INVALID);
  if (!desired.otsPolicy) throw new CliError(`the last applied desired state (${desired.revision}) has no OtsPolicy: pass --repo DIR`, EXIT_INVALID);
  return desired.otsPolicy;
}

function asCliError(err: unknown): CliError {
  return err instanceof CliError ? err : new CliError(err instanceof Error ? err.message : String(err), EXIT_INVALID);
}
