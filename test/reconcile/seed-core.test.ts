import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StateDocument } from '../../controller/observed/state-schema.js';
import { reconcile } from '../../controller/reconcile/reconcile.js';
import { scenarioProblems, type ScenarioExpect } from '../plan/scenario-expect.js';
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

const dir = 'test/fixtures/scenarios/seed-v51';
const seedState = JSON.parse(readFileSync(`${dir}/state.json`, 'utf8')) as StateDocument;
const seedExpect = JSON.parse(readFileSync(`${dir}/expect.json`, 'utf8')) as ScenarioExpect;

describe('the seed scenario through the core', () => {
  it('meets every expectation of expect.json', () => {
    const plan = reconcile(seedDesired, seedState, new Date(seedExpect.now));
    expect(scenarioProblems(plan as unknown as Record<string, unknown>, seedExpect, 0)).toEqual([]);
  });

  it('explains each stuck appliance and names only what is wrong in the message', () => {
    const plan = reconcile(seedDesired, seedState, new Date(seedExpect.now));
    const v49 = plan.rollouts.find((r) => r.name === 'v1.0.49');
    expect(v49?.message).toBe(
      'Stage 3/3 (100%): 1 succeeded, 2 stuck (clinic-a-01 never acknowledged, clinic-b-01 downloading since 2026-01-25T03:00:00.000Z), ' +
        '1 failed (clinic-c-01: sha256 mismatch: image does not match release)',
    );
    expect(v49?.conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['Ready', 'False', 'AppliancesStuck'],
      ['Reconciling', 'False', 'AppliancesStuck'],
      ['Stalled', 'True', 'AppliancesStuck'],
    ]);
    expect(plan.appliances.find((a) => a.id === 'vm-01')?.reason).toBe('offline since 2026-01-29T08:10:00.000Z (last check-in 2026-01-29T08:00:00.000Z)');
    expect(plan.findings.filter((f) => f.type === 'AssignsOfflineAppliance').map((f) => f.appliance)).toEqual(['vm-01']);
    expect(plan.actions.find((a) => a.type === 'ExpireProofs')).toEqual({ type: 'ExpireProofs', count: 67000, olderThan: '2026-01-24T12:00:00.000Z' });
  });
});
