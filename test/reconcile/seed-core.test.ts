import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StateDocument } from '../../controller/observed/state-schema.js';
import { reconcile } from '../../controller/reconcile/reconcile.js';
import { appliance, desired, otsPolicy, release, retentionPolicy, rollout } from './builders.js';

// The seed scenario's fleet written with builders, so the core is checked without the loader.
const seedDesired = desired({
  appliances: [
    appliance('clinic-a-01', { site: 'clinic-a' }),
    appliance('clinic-b-01', { site: 'clinic-b' }),
    appliance('clinic-c-01', { site: 'clinic-c' }),
    appliance('phys-01', { site: 'lab', hardware: 'hp-t640' }),
    appliance('vm-01', { site: 'lab', hardware: 'vm' }),
  ],
  releases: [release('v1.0.45'), release('v1.0.49'), release('v1.0.51')],
  rollouts: ['v1.0.45', 'v1.0.49', 'v1.0.51'].map((name) =>
    rollout(name, {
      stages: [{ percent: 5, soak: '1h' }, { percent: 25, soak: '6h' }, { percent: 100 }],
      progressDeadline: '24h',
      maxFailures: 1,
    }),
  ),
  retentionPolicies: [retentionPolicy('incidents-30d', { maxDatabaseBytes: 2 * 2 ** 30 })],
  otsPolicy: otsPolicy({ alertPendingAbove: 5000 }),
});

const seedState = JSON.parse(readFileSync('test/fixtures/scenarios/seed-v51/state.json', 'utf8')) as StateDocument;

describe('the seed scenario through the core', () => {
  it('plans what the scenario expects', () => {
    const plan = reconcile(seedDesired, seedState, new Date('2026-01-31T12:00:00Z'));
    console.log(JSON.stringify(plan, null, 1));
    expect(plan.rollouts.map((r) => r.phase)).toEqual(['Superseded', 'Stalled', 'Progressing']);
  });
});
