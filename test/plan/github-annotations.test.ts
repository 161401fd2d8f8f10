import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleGit } from 'simple-git';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escapeData, escapeProperty } from '../../controller/plan/render-github.js';
import { appliance, docs } from '../desired/fleet-builders.js';
import { tempDir } from '../helpers/tmp.js';

// Runs the built CLI (`npm run build` first), as a workflow step would.
const MAIN = fileURLToPath(new URL('../../dist/controller/cli/main.js', import.meta.url));

function planGithub(cwd: string, repo: string, workspace: string) {
  const r = spawnSync(process.execPath, [MAIN, 'plan', '--repo', repo, '--format', 'github'], {
    encoding: 'utf8',
    cwd,
    env: { ...process.env, NO_COLOR: '', GITHUB_WORKSPACE: workspace },
  });
  return { code: r.status ?? -1, lines: r.stdout.trimEnd().split('\n') };
}

/** Twelve appliances, each with a label key GitHub must be told about: twelve errors, one per line. */
const BAD_FLEET = docs(...Array.from({ length: 12 }, (_, i) => appliance(`a-${i}`, { [`bad key ${i}`]: 'x' })));

describe('plan --format github in a workflow', () => {
  const workspace = tempDir('muster-gh-');
  const plain = tempDir('muster-gh-plain-');
  afterAll(() => {
    workspace.remove();
    plain.remove();
  });
  beforeAll(async () => {
    // The checkout: the fleet lives in deploy/fleet, and the step runs with working-directory: deploy.
    for (const root of [workspace.dir, plain.dir]) {
      mkdirSync(join(root, 'deploy', 'fleet'), { recursive: true });
      writeFileSync(join(root, 'deploy', 'fleet', 'appliances.yaml'), BAD_FLEET);
    }
    await simpleGit(workspace.dir).init();
  });

  const rows = [
    { name: 'GITHUB_WORKSPACE set, working directory below it', given: { root: () => workspace.dir, env: () => workspace.dir }, want: 'deploy/fleet/appliances.yaml' },
    { name: 'no GITHUB_WORKSPACE: the git repository root', given: { root: () => workspace.dir, env: () => '' }, want: 'deploy/fleet/appliances.yaml' },
    { name: 'no GITHUB_WORKSPACE and no git repository: the fleet directory', given: { root: () => plain.dir, env: () => '' }, want: 'appliances.yaml' },
  ];
  it.each(rows)('file= paths: $name', ({ given, want }) => {
    const { code, lines } = planGithub(join(given.root(), 'deploy'), 'fleet', given.env());
    expect(code).toBe(1);
    const errors = lines.filter((l) => l.startsWith('::error '));
    expect(errors.length).toBeGreaterThan(0);
    for (const line of errors) expect(line).toMatch(new RegExp(`^::error file=${want.replace(/\./g, '\\.')},line=\\d+,col=\\d+,`));
    expect(lines[0]).toMatch(new RegExp(`^::notice title=Muster plan::.*Files: ${want.replace(/\./g, '\\.')}$`));
  });

  it('puts the summary first and says, in the last error kept, how many GitHub drops', () => {
    const { lines } = planGithub(join(workspace.dir, 'deploy'), 'fleet', workspace.dir);
    expect(lines[0]).toBe('::notice title=Muster plan::the desired state is invalid: 12 errors; nothing is planned. Files: deploy/fleet/appliances.yaml');
    const errors = lines.filter((l) => l.startsWith('::error '));
    expect(errors).toHaveLength(10);
    expect(errors[8]).not.toContain('more errors');
    expect(errors[9]).toMatch(/%0A\(and 2 more errors not shown: GitHub shows 10 per step; the markdown plan, muster plan --format markdown, lists them all\)$/);
  });
});

describe('workflow command escaping, as the runner parses it', () => {
  it.each([
    { name: 'percent, CR and LF in data', given: { data: '100% done\r\nnext' }, want: '100%25 done%0D%0Anext' },
    { name: 'colon and comma stay in data', given: { data: 'a: b, c' }, want: 'a: b, c' },
    { name: 'colon and comma in a property', given: { property: 'spec.selector: a,b' }, want: 'spec.selector%3A a%2Cb' },
    { name: 'percent first, so escapes are not escaped twice', given: { property: '%3A' }, want: '%253A' },
  ])('$name', ({ given, want }) => {
    expect('data' in given ? escapeData(given.data as string) : escapeProperty(given.property as string)).toBe(want);
  });
});
