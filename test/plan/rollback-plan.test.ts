import { spawnSync } from 'node:child_process';
import { cpSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';

// Runs the built CLI (`npm run build` first) on copies of the seed scenario's fleet repository.
const MAIN = fileURLToPath(new URL('../../dist/controller/cli/main.js', import.meta.url));
const SEED = fileURLToPath(new URL('../fixtures/scenarios/seed-v51/', import.meta.url));
const NOW = '2026-01-31T12:00:00Z';

const { dir, remove } = tempDir('muster-rollback-plan-');
afterAll(remove);

function fleetCopy(name: string, change: (fleet: string) => void): string {
  const fleet = join(dir, name);
  cpSync(join(SEED, 'fleet'), fleet, { recursive: true });
  change(fleet);
  return fleet;
}

function plan(fleet: string, format: string): string {
  const r = spawnSync(process.execPath, [MAIN, 'plan', '--repo', fleet, '--state', join(SEED, 'state.json'), '--now', NOW, '--format', format], {
    encoding: 'utf8',
    cwd: dir,
    env: { ...process.env, NO_COLOR: '' },
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

interface JsonPlan {
  rollouts: { name: string; phase: string; counts: { targeted: number } }[];
  appliances: { id: string; target: string | null; rollout: string | null }[];
  actions: { type: string; appliance?: string; rollout?: string }[];
  targetMoves: { appliance: string; rollout: string; from: string | null; to: string | null; downgrade: boolean }[];
}

const ROLLBACK = `apiVersion: muster.dev/v1alpha1
kind: Rollout
metadata:
  name: back-to-v1.0.45
spec:
  release: v1.0.45
  rollback: true
  stages:
    - percent: 50
    - percent: 100
`;

describe('muster plan: removing a rollout and rolling back', () => {
  it('deleting rollouts/v1.0.49.yaml moves no target by itself: phys-01 keeps v1.0.49; what had not succeeded is withdrawn, and the plan says so', () => {
    const fleet = fleetCopy('removed', (f) => rmSync(join(f, 'rollouts', 'v1.0.49.yaml')));
    const p = JSON.parse(plan(fleet, 'json')) as JsonPlan;
    expect(p.appliances.find((a) => a.id === 'phys-01')).toMatchObject({ target: 'v1.0.49', rollout: 'v1.0.49' });
    expect(p.rollouts.find((r) => r.name === 'v1.0.49')).toMatchObject({ phase: 'Removed', counts: { targeted: 1 } });
    expect(p.actions.filter((a) => a.appliance === 'phys-01')).toEqual([]);
    for (const m of p.targetMoves) expect(p.actions.some((a) => a.appliance === m.appliance), m.appliance).toBe(true);
    expect(p.targetMoves.filter((m) => m.rollout === 'v1.0.49').every((m) => m.from === 'v1.0.49')).toBe(true);
  });

  it('a rollback rollout: every format shows each target it changes, from what to what, flagged a downgrade', () => {
    const fleet = fleetCopy('rollback', (f) => writeFileSync(join(f, 'rollouts', 'back-to-v1.0.45.yaml'), ROLLBACK));
    const p = JSON.parse(plan(fleet, 'json')) as JsonPlan;
    const downgrades = p.targetMoves.filter((m) => m.downgrade);
    expect(downgrades.length).toBeGreaterThan(0);
    for (const m of downgrades) expect(m).toMatchObject({ rollout: 'back-to-v1.0.45', to: 'v1.0.45' });
    const [first] = downgrades;
    const line = `${first?.appliance}: ${first?.from} → v1.0.45`;
    expect(plan(fleet, 'text')).toContain(`${line} (rollout back-to-v1.0.45, downgrade)`);
    expect(plan(fleet, 'markdown')).toMatch(new RegExp(`\`${first?.appliance}\`: ${first?.from} → \\*\\*v1\\.0\\.45\\*\\* \\(rollout \`back-to-v1\\.0\\.45\`\\) ⚠️ \\*\\*downgrade\\*\\*`));
    expect(plan(fleet, 'github')).toMatch(/^::warning file=.*back-to-v1\.0\.45\.yaml,line=\d+,col=\d+,title=Downgrade::this plan downgrades \d+: /m);
  });
});
