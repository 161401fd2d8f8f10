import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { smallFleetFiles, writeFiles } from '../helpers/fleet.js';
import { tempDir } from '../helpers/tmp.js';

// Runs the built CLI (`npm run build` first), as a reviewer would.
const MAIN = fileURLToPath(new URL('../../dist/controller/cli/main.js', import.meta.url));
const NOW = '2026-01-31T12:00:00Z';

describe('muster plan --assume-update and the forecast', () => {
  const { dir, remove } = tempDir('muster-forecast-');
  afterAll(remove);
  const files = smallFleetFiles();
  files['rollouts/v1.0.51.yaml'] = (files['rollouts/v1.0.51.yaml'] as string).replace('    - percent: 50\n', '    - percent: 50\n      soak: 1h\n');
  writeFiles(dir, files);
  const plan = (...more: string[]) => spawnSync(process.execPath, [MAIN, 'plan', '--repo', dir, '--now', NOW, ...more], { encoding: 'utf8' });

  it('json: rollouts[].forecast with each stage, the completion and the assumptions', () => {
    const r = plan('--format', 'json', '--assume-update', '45m');
    expect(r.status).toBe(0);
    const forecast = (JSON.parse(r.stdout) as { rollouts: { forecast: unknown }[] }).rollouts[0]?.forecast;
    expect(forecast).toEqual({
      stages: [
        { stage: 1, startsAt: '2026-01-31T12:00:00.000Z', completesAt: '2026-01-31T12:45:00.000Z' },
        { stage: 2, startsAt: '2026-01-31T13:45:00.000Z', completesAt: '2026-01-31T14:30:00.000Z' },
      ],
      completesAt: '2026-01-31T14:30:00.000Z',
      assumptions: ['each update takes 45m (--assume-update)', 'no appliance fails, and the eligible set stays as it is today'],
    });
  });

  it('text and markdown: a line per stage', () => {
    const text = plan().stdout;
    expect(text).toContain('Forecast:\n  v1.0.51: completes 2026-01-31T14:00:00.000Z\n    stage 1/2: started 2026-01-31T12:00:00.000Z, completes 2026-01-31T12:30:00.000Z\n');
    expect(text).toContain('    stage 2/2: starts 2026-01-31T13:30:00.000Z, completes 2026-01-31T14:00:00.000Z\n');
    const markdown = plan('--format', 'markdown').stdout;
    expect(markdown).toContain('**Forecast**\n- **v1.0.51** completes 2026-01-31T14:00:00.000Z\n  - stage 1/2: started');
  });

  it('a bad --assume-update is a usage error', () => {
    const r = plan('--assume-update', 'soon');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--assume-update soon: not a positive duration');
  });
});
