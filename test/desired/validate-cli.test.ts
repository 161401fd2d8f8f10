import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { loadFleetDirectory } from '../../controller/desired/load-directory.js';

const run = promisify(execFile);
const CLI = 'dist/controller/cli/main.js';

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function muster(...args: string[]): Promise<Outcome> {
  expect(existsSync(CLI), 'run `npm run build` first').toBe(true);
  return run(process.execPath, [CLI, ...args]).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
  );
}

// Every scenario's fleet, copied from the shared scenarios into the fixtures.
const scenarios = readdirSync('test/fixtures/scenarios').filter((name) => existsSync(join('test/fixtures/scenarios', name, 'fleet')));

describe('muster validate', () => {
  test('the example fleet is valid: exit 0, ok with its object count', async () => {
    const { code, stdout, stderr } = await muster('validate', 'fleet-repo-example');
    expect(code).toBe(0);
    expect(stdout).toBe('ok: 23 objects\n');
    expect(stderr).toContain('12 Appliance');
  });

  test('json for a valid fleet: no errors and the count, one JSON document on stdout', async () => {
    const { code, stdout } = await muster('validate', 'fleet-repo-example', '--format', 'json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ errors: [], objects: 23 });
  });

  test('the shared seed-v51 scenario fleet: exit 0 through the command', async () => {
    expect(scenarios).toContain('seed-v51');
    const { code, stdout } = await muster('validate', 'test/fixtures/scenarios/seed-v51/fleet', '--format', 'json');
    expect(JSON.parse(stdout)).toEqual({ errors: [], objects: 14 });
    expect(code).toBe(0);
  });

  // A scenario whose plan is expected to fail lists the errors (file and candidate lines) it must show.
  test.each(scenarios)('the %s scenario fleet validates as its scenario expects', async (name) => {
    const expectPath = join('test/fixtures/scenarios', name, 'expect.json');
    const want = existsSync(expectPath) ? (JSON.parse(readFileSync(expectPath, 'utf8')) as { errors?: { file: string; lines?: number[] }[] }) : {};
    // In-process (the command is the same function): spawning a CLI per scenario costs seconds each.
    const result = await loadFleetDirectory(join('test/fixtures/scenarios', name, 'fleet'));
    const errors = result.ok ? [] : result.errors;
    if (!want.errors?.length) {
      expect(errors).toEqual([]);
      return;
    }
    expect(result.ok).toBe(false);
    for (const e of want.errors) {
      expect(errors.some((x) => x.file.endsWith(e.file) && (e.lines ?? [x.line]).includes(x.line)), `an error at ${e.file}:${e.lines?.join('|')}`).toBe(true);
    }
  });

  test('text errors read like a compiler: file:line:column: path: message, relative to DIR', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'muster-validate-'));
    writeFileSync(
      join(dir, 'rollout.yaml'),
      ['apiVersion: muster.dev/v1alpha1', 'kind: Rollout', 'metadata:', '  name: v1.0.51', 'spec:', '  release: v1.0.51', '  stages:', '    - percent: 5', '    - percent: 90', ''].join('\n'),
    );
    writeFileSync(join(dir, 'bad.yaml'), 'kind: [\n');
    const { code, stdout, stderr } = await muster('validate', dir);
    expect(code).toBe(1);
    expect(stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^bad\.yaml:2:1: YAML syntax error: /),
      'rollout.yaml:6:12: spec.release: Release `v1.0.51` is not declared (declared: none)',
      'rollout.yaml:9:16: spec.stages[1].percent: stages must end at 100 (last is 90)',
    ]);
    expect(stderr).toContain('3 errors in 2 files');
  });

  test.each([
    { name: 'no DIR', args: ['validate'] },
    { name: 'a DIR that does not exist', args: ['validate', join(tmpdir(), 'muster-no-such-dir')] },
    { name: 'a DIR that is a file', args: ['validate', 'package.json'] },
    { name: 'an unknown format', args: ['validate', 'fleet-repo-example', '--format', 'yaml'] },
    { name: 'an unknown flag', args: ['validate', 'fleet-repo-example', '--strict'] },
  ])('usage error: $name exits 2 with nothing on stdout', async ({ args }) => {
    const { code, stdout, stderr } = await muster(...args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).not.toBe('');
  });
});
