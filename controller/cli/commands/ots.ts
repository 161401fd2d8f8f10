import { closeSync, openSync, readSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { MAX_PROOF_BYTES } from '../../ots/codec.js';
import { inspectProof, renderInspectText } from '../../ots/inspect.js';
import { CliError, EXIT_INVALID, EXIT_USAGE } from '../exit-codes.js';

/**
 * Registers `muster ots inspect FILE.ots [--format text|json]`: prints the proof's digest, operation
 * tree and every attestation with its commitment on stdout; exits 1 with the byte offset and reason
 * when the proof is unreadable, 2 when the file cannot be read or a flag is wrong.
 */
export function registerOtsCommand(program: Command): void {
  const ots = program.command('ots').description('OpenTimestamps proofs');
  ots
    .command('inspect')
    .description('Show a .ots proof: digest, operations, attestations and the commitment each calendar is asked about')
    .argument('<file>', 'detached timestamp file (.ots)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action((file: string, opts: { format: 'text' | 'json' }) => {
      const bytes = readProofFile(file);
      const report = inspectProof(bytes);
      if (!report.ok) throw new CliError(`${file}: ${report.error.reason} at byte ${report.error.offset}`, EXIT_INVALID);
      process.stdout.write(opts.format === 'json' ? `${JSON.stringify(report.value, null, 2)}\n` : renderInspectText(report.value));
    });
}

/** At most one byte more than any acceptable proof, so a huge file is refused without being read whole. */
function readProofFile(file: string): Uint8Array {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, EXIT_USAGE);
  }
  try {
    const buf = Buffer.alloc(MAX_PROOF_BYTES + 1);
    let n = 0;
    while (n < buf.length) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    return new Uint8Array(buf.buffer, buf.byteOffset, n);
  } catch (err) {
    throw new CliError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, EXIT_USAGE);
  } finally {
    closeSync(fd);
  }
}
