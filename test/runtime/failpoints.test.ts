import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseFailpoints } from '../../controller/failpoints.js';
import { tempDir } from '../helpers/tmp.js';

const MODULE = resolve('dist/controller/failpoints.js');
const removals: (() => void)[] = [];
afterEach(() => removals.splice(0).forEach((remove) => remove()));

describe('parseFailpoints', () => {
  const cases: { name: string; given: string; want: [string, number][] | RegExp }[] = [
    { name: 'one point', given: 'plan-apply:3', want: [['plan-apply', 3]] },
    { name: 'several, with spaces', given: 'git-fetch:1, group-commit:20', want: [['git-fetch', 1], ['group-commit', 20]] },
    { name: 'no count means the first arrival', given: 'proof-expiry-batch', want: [['proof-expiry-batch', 1]] },
    { name: 'empty', given: '', want: [] },
    { name: 'an unknown point is named', given: 'plan-aply:1', want: /unknown fail point "plan-aply" in "plan-aply:1"; known: plan-apply/ },
    { name: 'a count of zero', given: 'git-fetch:0', want: /"git-fetch:0" must be <point>:<n>/ },
    { name: 'a count that is no number', given: 'git-fetch:two', want: /"git-fetch:two" must be/ },
    { name: 'two colons', given: 'git-fetch:1:2', want: /"git-fetch:1:2" must be/ },
  ];
  for (const { name, given, want } of cases) {
    it(name, () => {
      if (want instanceof RegExp) expect(() => parseFailpoints(given)).toThrow(want);
      else expect([...parseFailpoints(given)]).toEqual(want);
    });
  }
});

/** Runs `body` (an ES module, `failpoint` and `failpointSource` imported) with the given environment. */
function run(body: string, env: Record<string, string>) {
  const source = `import { failpoint, failpointSource } from ${JSON.stringify(MODULE)};\n${body}`;
  const { MUSTER_FAILPOINTS: _armed, ...inherited } = process.env;
  return spawnSync(process.execPath, ['--input-type=module', '-e', source], { env: { ...inherited, ...env }, encoding: 'utf8', timeout: 20_000 });
}

function marker(): string {
  const tmp = tempDir('muster-failpoints-');
  removals.push(tmp.remove);
  return join(tmp.dir, 'marker');
}

describe('failpoint in a process', () => {
  it('kills the process with SIGKILL at the armed arrival, after writing the marker, and not before', () => {
    const file = marker();
    const result = run("for (let i = 1; i <= 5; i++) { console.log(i); failpoint('git-fetch'); failpoint('plan-apply'); }", {
      MUSTER_FAILPOINTS: 'plan-apply:3',
      MUSTER_FAILPOINTS_MARKER: file,
    });
    expect(result.signal).toBe('SIGKILL');
    expect(result.stdout.trim().split('\n')).toEqual(['1', '2', '3']);
    expect(readFileSync(file, 'utf8')).toMatch(/^plan-apply 3 \d+ 0\n$/);
  });

  it('does nothing when nothing is armed', () => {
    const result = run("failpoint('plan-apply'); failpoint('group-commit'); console.log('done', JSON.stringify(failpointSource('group-commit')))", {});
    expect(result.signal).toBeNull();
    expect(result.status).toBe(0);
    expect(result.stdout.trim()).toBe('done ""');
  });

  it('refuses to start with a point it does not know, naming it', () => {
    const result = run("console.log('started')", { MUSTER_FAILPOINTS: 'mid-fetch:1' });
    expect(result.status).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('MUSTER_FAILPOINTS: unknown fail point "mid-fetch"');
  });

  it('kills from a worker evaluated from source, at the armed arrival of the worker itself', () => {
    const file = marker();
    const body = [
      "import { Worker } from 'node:worker_threads';",
      "const source = `const { parentPort } = require('node:worker_threads');",
      "for (let i = 1; i <= 4; i++) { parentPort.postMessage(i); ${failpointSource('group-commit')} }`;",
      // Not the parent's --input-type=module: the controller's writer is a CommonJS worker.
      'const worker = new Worker(source, { eval: true, execArgv: [] });',
      'worker.on("message", (i) => console.log(i));',
    ].join('\n');
    const result = run(body, { MUSTER_FAILPOINTS: 'group-commit:2', MUSTER_FAILPOINTS_MARKER: file });
    expect(result.signal).toBe('SIGKILL');
    expect(readFileSync(file, 'utf8')).toMatch(/^group-commit 2 \d+ [1-9]\d*\n$/);
    expect(result.stdout).not.toContain('4');
  });
});
