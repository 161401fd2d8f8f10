import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseFieldPath } from '../../controller/plan/field-positions.js';
import { smallFleetFiles, writeFiles } from '../helpers/fleet.js';
import { tempDir } from '../helpers/tmp.js';

// Runs the built CLI (`npm run build` first), as a workflow would.
const MAIN = fileURLToPath(new URL('../../dist/controller/cli/main.js', import.meta.url));

describe('lint findings as GitHub annotations', () => {
  const { dir, remove } = tempDir('muster-lint-');
  afterAll(remove);
  const files = smallFleetFiles({ appliances: ['lab-01', 'clinic-a-01', 'clinic-b-01'] });
  // Three appliances: 10% and 20% both cover one, so stage 2 adds nobody.
  files['rollouts/v1.0.51.yaml'] = (files['rollouts/v1.0.51.yaml'] as string).replace('    - percent: 50\n', '    - percent: 10\n    - percent: 20\n');
  files['fleet.yaml'] = `${files['fleet.yaml'] as string}  disruptionBudget:\n    groupBy: [site]\n    maxUnavailable: 0\n`;
  writeFiles(dir, files);

  it('puts each lint warning on the offending YAML line', () => {
    const r = spawnSync(process.execPath, [MAIN, 'plan', '--repo', '.', '--now', '2026-01-31T12:00:00Z', '--format', 'github'], { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const lines = r.stdout.split('\n');
    // rollouts/v1.0.51.yaml: line 9 is `    - percent: 20`, column 16 its value (GitHub escapes % as %25).
    expect(lines).toContainEqual(expect.stringMatching(/^::warning file=rollouts\/v1\.0\.51\.yaml,line=9,col=16,title=DegenerateStage::stage 2 of v1\.0\.51 \(20%25\) adds no appliance/));
    // fleet.yaml: line 10 is `    maxUnavailable: 0`.
    expect(lines).toContainEqual(expect.stringMatching(/^::warning file=fleet\.yaml,line=10,col=21,title=DegenerateBudget::the disruption budget of the Fleet allows 0/));
  });

  it('reads field paths as segments', () => {
    expect(parseFieldPath('spec.stages[1].percent')).toEqual(['spec', 'stages', 1, 'percent']);
    expect(parseFieldPath('spec.disruptionBudget.groupBy[0]')).toEqual(['spec', 'disruptionBudget', 'groupBy', 0]);
  });
});
