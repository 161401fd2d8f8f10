import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleGit } from 'simple-git';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { scenarioProblems, type ScenarioExpect } from './scenario-expect.js';

// Runs the built CLI (`npm run build` first), as a reviewer or a workflow would.
const MAIN = fileURLToPath(new URL('../../dist/controller/cli/main.js', import.meta.url));
const SCENARIOS = fileURLToPath(new URL('../fixtures/scenarios/', import.meta.url));
const SEED = join(SCENARIOS, 'seed-v51');
const SEED_NOW = '2026-01-31T12:00:00Z';

function muster(args: string[], cwd?: string, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', cwd, env: { ...process.env, NO_COLOR: '', GITHUB_WORKSPACE: '', ...env } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const seedArgs = (...more: string[]) => ['plan', '--repo', join(SEED, 'fleet'), '--state', join(SEED, 'state.json'), '--now', SEED_NOW, ...more];

describe('muster plan on the acceptance scenarios', () => {
  for (const name of readdirSync(SCENARIOS).sort()) {
    it(`${name}: meets every expectation of expect.json`, () => {
      const dir = join(SCENARIOS, name);
      const expectation = JSON.parse(readFileSync(join(dir, 'expect.json'), 'utf8')) as ScenarioExpect;
      const { code, stdout } = muster(['plan', '--repo', join(dir, 'fleet'), '--state', join(dir, 'state.json'), '--now', expectation.now, '--format', 'json']);
      expect(scenarioProblems(JSON.parse(stdout) as Record<string, unknown>, expectation, code)).toEqual([]);
    });
  }
});

describe('muster plan exit codes', () => {
  const { dir, remove } = tempDir('muster-plan-');
  afterAll(remove);
  writeFileSync(join(dir, 'bad-state.json'), JSON.stringify({ apiVersion: 'muster.dev/v1alpha1', kind: 'State', exportedAt: 'now', appliances: [], rollouts: [], proofs: {} }));

  const rows: { name: string; given: string[]; want: { code: number; stderr: string } }[] = [
    { name: 'a --now that is not a time', given: ['plan', '--repo', join(SEED, 'fleet'), '--now', 'tomorrow'], want: { code: 2, stderr: '--now tomorrow' } },
    { name: 'both --state and --db', given: [...seedArgs(), '--db', 'muster.db'], want: { code: 2, stderr: 'not both' } },
    { name: 'a --db that names no database', given: ['plan', '--repo', join(SEED, 'fleet'), '--db', join(dir, 'none.db')], want: { code: 2, stderr: 'no Muster database' } },
    { name: 'a missing --state file', given: ['plan', '--repo', join(SEED, 'fleet'), '--state', join(dir, 'nope.json')], want: { code: 2, stderr: 'ENOENT' } },
    { name: 'an invalid --state, with the JSON path', given: ['plan', '--repo', join(SEED, 'fleet'), '--state', join(dir, 'bad-state.json')], want: { code: 2, stderr: '/exportedAt: must match pattern' } },
    { name: 'no --repo', given: ['plan'], want: { code: 2, stderr: '--repo' } },
    { name: 'a --repo that is not a directory', given: ['plan', '--repo', join(dir, 'missing')], want: { code: 2, stderr: 'not a directory' } },
    { name: 'an unknown --format', given: [...seedArgs(), '--format', 'yaml'], want: { code: 2, stderr: 'yaml' } },
    { name: 'an invalid head', given: ['plan', '--repo', join(SCENARIOS, 'invalid-head', 'fleet')], want: { code: 1, stderr: 'invalid' } },
    { name: 'a valid head', given: seedArgs(), want: { code: 0, stderr: 'planned revision' } },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const { code, stderr } = muster(row.given);
      expect(code).toBe(row.want.code);
      expect(stderr).toContain(row.want.stderr);
    });
  }
});

describe('muster plan formats', () => {
  it('json: one document, keys in a stable order', () => {
    const { stdout } = muster(seedArgs('--format', 'json'));
    const plan = JSON.parse(stdout) as Record<string, unknown>;
    expect(Object.keys(plan)).toEqual(['revision', 'now', 'errors', 'rollouts', 'appliances', 'findings', 'actions', 'targetMoves']);
    expect(Object.keys((plan.rollouts as object[])[0] as object)).toEqual([
      'name', 'release', 'version', 'rollback', 'phase', 'stage', 'stages', 'stageStartedAt', 'counts', 'conditions', 'message', 'revision', 'forecast',
    ]);
    expect(muster(seedArgs('--format', 'json')).stdout).toBe(stdout);
  });

  it('text: the kubectl-like table, stuck appliances, findings and actions, no colour when piped', () => {
    const { stdout } = muster(seedArgs());
    expect(stdout).toMatch(/^ROLLOUT +RELEASE +STAGE +PHASE +PENDING +UPDATING +SUCCEEDED +FAILED +STUCK +MESSAGE$/m);
    expect(stdout).toMatch(/^v1\.0\.49 +v1\.0\.49 +3\/3 +Stalled +0 +0 +1 +1 +2 +Stage 3\/3/m);
    expect(stdout).toContain('Stuck appliances (2):');
    expect(stdout).toMatch(/^ {2}clinic-a-01 +v1\.0\.49 +checked in since assignment/m);
    expect(stdout).toContain('Findings (11):');
    expect(stdout).toMatch(/^ {2}AssignRelease +v1\.0\.51 to 1 \(rollout v1\.0\.51\): vm-01$/m);
    expect(stdout).not.toContain('\u001b[');
  });

  it('markdown: what is stuck, which appliances a stage hits, what would expire', () => {
    const { stdout } = muster(seedArgs('--format', 'markdown'));
    expect(stdout.split('\n')[0]).toBe('### ⚠️ Muster plan: 1 stalled rollout (2 stuck appliances) · 5 actions');
    expect(stdout).toContain('- **v1.0.51** stage 1/3 assigns v1.0.51 to 1 appliance: `vm-01` (⚠️ offline)');
    expect(stdout).toContain('**Stuck (2)**');
    expect(stdout).toContain('**Would expire:** 67,000 pending OTS proofs created before 2026-01-24T12:00:00.000Z');
    expect(stdout).toContain('| v1.0.49 | v1.0.49 | 3/3 | 🔴 Stalled | 0 | 0 | 1 | 1 | 2 |');
  });

  it('github: an error annotation on the offending line of an invalid head', () => {
    const repo = join(SCENARIOS, 'invalid-head', 'fleet');
    const { code, stdout } = muster(['plan', '--repo', repo, '--format', 'github'], SCENARIOS, { GITHUB_WORKSPACE: SCENARIOS });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^::error file=invalid-head\/fleet\/rollouts\/v2\.1\.0\.yaml,line=(9|10),col=\d+,title=[^:]*::.+$/m);
  });

  it('github: warnings on the rollout that stalls and the stage that assigns an offline appliance', () => {
    const { stdout } = muster(seedArgs('--format', 'github'), SEED, { GITHUB_WORKSPACE: SEED });
    expect(stdout).toContain('::warning file=fleet/rollouts/v1.0.49.yaml,line=');
    expect(stdout).toMatch(/^::warning file=fleet\/rollouts\/v1\.0\.51\.yaml,line=\d+,col=\d+,title=AssignsOfflineAppliance::this plan assigns v1\.0\.51 to vm-01/m);
  });

  it('without --state: an empty fleet, nobody has checked in', () => {
    const { code, stdout } = muster(['plan', '--repo', join(SEED, 'fleet'), '--now', SEED_NOW, '--format', 'json']);
    const plan = JSON.parse(stdout) as { appliances: { id: string; status: string; reason: string }[]; findings: { type: string }[]; actions: { type: string }[] };
    expect(code).toBe(0);
    expect(plan.appliances.map((a) => a.id)).toEqual(['clinic-a-01', 'clinic-b-01', 'clinic-c-01', 'phys-01', 'vm-01']);
    expect(plan.findings.filter((f) => f.type === 'NeverCheckedIn')).toHaveLength(5);
    expect(plan.actions.filter((a) => a.type === 'SetPhase')).toHaveLength(3);
    expect(plan.actions.filter((a) => a.type === 'ExpireProofs')).toHaveLength(0);
  });
});

describe('muster plan --base', () => {
  it('lists what the head changes, field by field, and how the targets differ', async () => {
    const { dir, remove } = tempDir('muster-plan-base-');
    try {
      cpSync(join(SEED, 'fleet'), dir, { recursive: true });
      const git = simpleGit({ baseDir: dir });
      await git.init().addConfig('user.email', 'ci@example.com').addConfig('user.name', 'CI').add('.').commit('seed');
      const rollout = join(dir, 'rollouts', 'v1.0.51.yaml');
      writeFileSync(rollout, readFileSync(rollout, 'utf8').replace('percent: 5\n', 'percent: 40\n').replace('percent: 25\n', 'percent: 60\n'));
      rmSync(join(dir, 'releases', 'v1.0.45.yaml'));
      rmSync(join(dir, 'rollouts', 'v1.0.45.yaml'));
      const { code, stdout } = muster(['plan', '--repo', dir, '--base', 'HEAD', '--state', join(SEED, 'state.json'), '--now', SEED_NOW, '--format', 'json']);
      expect(code).toBe(0);
      const plan = JSON.parse(stdout) as Record<string, unknown>;
      expect(plan.base).toEqual({ ref: 'HEAD', revision: expect.stringMatching(/^[0-9a-f]{40}$/), errors: [] });
      expect(plan.changes).toEqual([
        { kind: 'Release', name: 'v1.0.45', field: null, from: expect.objectContaining({ spec: expect.any(Object) }), to: null },
        { kind: 'Rollout', name: 'v1.0.45', field: null, from: expect.objectContaining({ spec: expect.any(Object) }), to: null },
        { kind: 'Rollout', name: 'v1.0.51', field: 'spec.stages[0].percent', from: 5, to: 40 },
        { kind: 'Rollout', name: 'v1.0.51', field: 'spec.stages[1].percent', from: 25, to: 60 },
      ]);
      // 40% of five is two appliances: vm-01 and the next in v1.0.51's cohort order.
      expect(plan.targetChanges).toEqual([{ appliance: 'clinic-c-01', from: 'v1.0.49', to: 'v1.0.51' }]);
      const markdown = muster(['plan', '--repo', dir, '--base', 'HEAD', '--state', join(SEED, 'state.json'), '--now', SEED_NOW, '--format', 'markdown']).stdout;
      expect(markdown).toContain('- ✏️ Rollout `v1.0.51`: `spec.stages[0].percent` `5` → `40`');
      expect(markdown).toContain('- ➖ removed Rollout `v1.0.45`');
      expect(muster(['plan', '--repo', dir, '--base', 'no-such-ref']).code).toBe(2);
    } finally {
      remove();
    }
  });
});
