import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { InspectBranch, InspectReport } from '../../controller/ots/inspect.js';
import { EXPECTED, PROOF_FILES, fixturePath, readFixture } from './fixtures.js';

// Runs the built CLI (`npm run build` first), as a user would.
const MAIN = fileURLToPath(new URL('../../dist/controller/cli/main.js', import.meta.url));

function muster(...args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function opsOnly(branches: InspectBranch[]): unknown[] {
  return branches.map((b) => ('attestation' in b ? `@${b.attestation}` : [b.op, ...opsOnly(b.next)]));
}

describe('muster ots inspect', () => {
  it('prints the tree as the reference client does, then each commitment', () => {
    const { code, stdout, stderr } = muster('ots', 'inspect', fixturePath('incomplete.txt.ots'));
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    const reference = readFileSync(fixturePath('incomplete.txt.ots.info'), 'utf8').trimEnd();
    expect(stdout.startsWith(`${reference}\n`)).toBe(true);
    expect(stdout).toContain(
      [
        'Attestations:',
        '  1.  pending at https://alice.btc.calendar.opentimestamps.org',
        `      commitment ${EXPECTED['incomplete.txt.ots']!.pending[0]!.commitment}`,
      ].join('\n'),
    );
  });

  it('shows forks with arrows, one branch per calendar', () => {
    const { stdout } = muster('ots', 'inspect', fixturePath('two-calendars.txt.ots'));
    expect(stdout).toContain('\n -> append 6b4023b6edd3a0eeeb09e5d718723b9e\n    sha256\n    prepend 57d46515\n');
    expect(stdout).toContain("\n    verify PendingAttestation('https://bob.btc.calendar.opentimestamps.org')\n");
  });

  for (const name of PROOF_FILES) {
    it(`--format json for ${name} gives every attestation with its commitment`, () => {
      const { code, stdout } = muster('ots', 'inspect', fixturePath(name), '--format', 'json');
      expect(code).toBe(0);
      const report = JSON.parse(stdout) as InspectReport;
      const want = EXPECTED[name]!;
      expect(`version=1 file_hash_op=${report.fileHashOp} digest=${report.digest}`).toBe(want.header);
      expect(report.attestations.filter((a) => a.type === 'pending').map(({ uri, commitment }) => ({ uri, commitment }))).toEqual(
        want.pending.map((p) => ({ uri: p.calendar, commitment: p.commitment })),
      );
      expect(report.attestations.filter((a) => a.type === 'bitcoin').map(({ height, commitment }) => ({ height, message: commitment }))).toEqual(want.bitcoin);
      expect(report.attestations.filter((a) => a.type === 'unknown').map((a) => `unknown:${a.tag}`)).toEqual(want.unknown);
    });
  }

  it('the JSON operation tree follows the proof, branch by branch', () => {
    const report = JSON.parse(muster('ots', 'inspect', fixturePath('two-calendars.txt.ots'), '--format', 'json').stdout) as InspectReport;
    expect(opsOnly(report.ops)).toEqual([['append', ['sha256', ['append', ['sha256', ['prepend', ['append', '@0']]]], ['append', ['sha256', ['prepend', ['append', '@1']]]]]]]);
    const first = report.ops[0] as Extract<InspectBranch, { op: string }>;
    expect(first).toMatchObject({ op: 'append', arg: '839037eef449dec6dac322ca97347c45' });
    expect(first.result).toBe(`${report.digest}${first.arg}`);
  });

  it('an unreadable proof exits 1 with the byte offset and reason, no stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ots-'));
    const file = join(dir, 'cut.ots');
    writeFileSync(file, readFixture('incomplete.txt.ots').subarray(0, 100));
    const { code, stdout, stderr } = muster('ots', 'inspect', file, '--format', 'json');
    expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
    expect(stderr).toBe(`muster: ${file}: unexpected end of input: append argument needs 16 bytes, 14 left at byte 86\n`);
  });

  it.each([
    { name: 'a missing file', given: ['ots', 'inspect', '/nonexistent/x.ots'], want: /cannot read \/nonexistent\/x\.ots: ENOENT/ },
    { name: 'an unknown format', given: ['ots', 'inspect', fixturePath('empty.ots'), '--format', 'xml'], want: /argument 'xml' is invalid/ },
    { name: 'an unknown flag', given: ['ots', 'inspect', fixturePath('empty.ots'), '--verbose'], want: /unknown option '--verbose'/ },
    { name: 'no file', given: ['ots', 'inspect'], want: /missing required argument 'file'/ },
  ])('$name exits 2', ({ given, want }) => {
    const { code, stderr } = muster(...given);
    expect(code).toBe(2);
    expect(stderr).toMatch(want);
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
