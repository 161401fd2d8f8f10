import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { loadFleetDirectory } from '../../controller/desired/load-directory.js';
import type { LoadError } from '../../controller/desired/types.js';

const ROOT = 'test/fixtures/invalid';
const expected = JSON.parse(readFileSync(join(ROOT, 'expected.json'), 'utf8')) as Record<string, LoadError[]>;
const cases = readdirSync(ROOT)
  .filter((name) => statSync(join(ROOT, name)).isDirectory())
  .sort();

describe('the invalid corpus', () => {
  test('holds at least 40 cases, each with its expected errors', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(Object.keys(expected).sort()).toEqual(cases);
  });

  test.each(cases)('%s: every error at its file:line:column and path', async (name) => {
    const result = await loadFleetDirectory(join(ROOT, name));
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    expect(errors).toEqual(expected[name]);
  });
});

const run = promisify(execFile);
const CLI = 'dist/controller/cli/main.js';
// A sample across YAML, schema and semantic mistakes, through the real command.
const SAMPLE = ['yaml-tab-indent', 'yaml-duplicate-key', 'missing-rollout-release', 'stages-end-below-100', 'retention-policies-overlap', 'second-fleet', 'errors-in-several-files'];

describe('muster validate --format json on the corpus', () => {
  test.each(SAMPLE)('%s: exit 1 and the same errors', async (name) => {
    expect(existsSync(CLI), 'run `npm run build` first').toBe(true);
    const outcome = await run(process.execPath, [CLI, 'validate', join(ROOT, name), '--format', 'json']).then(
      (r) => ({ code: 0, stdout: r.stdout }),
      (e: { code: number; stdout: string }) => ({ code: e.code, stdout: e.stdout }),
    );
    expect(outcome.code).toBe(1);
    expect(JSON.parse(outcome.stdout)).toEqual({ errors: expected[name], objects: 0 });
  });
});
