import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApplianceAgent } from '../../agent/core/appliance-agent.js';
import { silentLogger } from '../../agent/core/logger.js';
import { startSimulator } from '../../agent/simulator/simulator.js';
import { startController, type RunningController } from '../../controller/runtime/controller.js';
import { releaseYaml, smallFleetFiles, writeFiles } from '../helpers/fleet.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/tmp.js';
import { AgentFixture } from './helpers/agent-fixture.js';
import { ManualClock } from '../helpers/manual-clock.js';

const APPLIANCES = ['clinic-a-01', 'clinic-b-01', 'clinic-c-01'];

let f: AgentFixture;
let controller: RunningController;
const cleanups: (() => Promise<void> | void)[] = [];

/** A fleet whose one release points at the fixture's image server, rolled out to everyone at once. */
function fleetFiles(image: { url: string; sha256: string; sizeBytes: number }): Record<string, string> {
  return {
    ...smallFleetFiles({ appliances: APPLIANCES }),
    'releases/v1.0.51.yaml': releaseYaml('v1.0.51', '1.0.51', { version: '51', ...image }),
    'rollouts/v1.0.51.yaml': [
      'apiVersion: muster.dev/v1alpha1',
      'kind: Rollout',
      'metadata:',
      '  name: v1.0.51',
      'spec:',
      '  release: v1.0.51',
      '  stages:',
      '    - percent: 100',
      '  progressDeadline: 1h',
      '',
    ].join('\n'),
  };
}

beforeEach(async () => {
  f = await new AgentFixture().start();
  const repo = tempDir();
  cleanups.push(repo.remove);
  const target = f.release('1.0.51');
  writeFiles(repo.dir, fleetFiles({ ...target.image, sizeBytes: target.image.sizeBytes ?? 0 }));
  controller = await startController({
    repo: repo.dir,
    db: join(f.dir, 'controller.db'),
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'silent' }),
    intervalMs: 60_000,
    leaderRetryMs: 100,
  });
  cleanups.push(() => controller.stop());
  await eventually(() => controller.isLeader(), { what: 'leadership' });
  // The first plan assigns the release to every appliance; their check-ins are answered from it.
  expect(await controller.reconcileNow()).toMatchObject({ kind: 'planned', applied: true });
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await f.close();
});

/** The controller's view of one appliance after a fresh pass. */
async function statusOf(id: string) {
  await controller.reconcileNow();
  return controller.plan()?.appliances.find((a) => a.id === id);
}

describe('the agent against the real controller', () => {
  it('installs the release the controller assigns and the controller counts it succeeded', async () => {
    const token = (await controller.store.issueToken('clinic-a-01')) as string;
    const clock = new ManualClock(Date.now());
    const { agent, close } = createApplianceAgent(
      { server: controller.url, token, stateDir: f.stateDir, versionFile: f.versionFile, installCmd: f.installCmd },
      { clock, random: () => 0.5, logger: silentLogger, onEvent: (e) => f.events.push(e) },
    );
    cleanups.push(close);
    agent.start();
    await eventually(() => f.phases().includes('succeeded'), { clock, quiet: () => !agent.busy, what: 'the update' });
    await eventually(() => !agent.busy, { what: 'the report of success' });

    const status = await statusOf('clinic-a-01');
    expect(status).toMatchObject({ target: 'v1.0.51', status: 'succeeded' });
  });

  it('sees simulated appliances succeed, fail with both hashes, and never acknowledge', async () => {
    const identities = [];
    for (const id of APPLIANCES) identities.push({ appliance: id, token: (await controller.store.issueToken(id)) as string });
    const clock = new ManualClock(Date.now());
    const simulator = startSimulator({
      server: controller.url,
      identities,
      profile: {
        default: 'healthy',
        rules: [
          { pattern: 'clinic-b-01', behaviour: 'corrupt-image' },
          { pattern: 'clinic-c-01', behaviour: 'ignores-updates' },
        ],
        initialVersion: { agentVersion: '1.0.45', imageVersion: '45' },
      },
      clock,
      random: () => 0.5,
      maxAttempts: 1,
      speed: 10,
    });
    cleanups.push(() => simulator.stop());
    const done = () => simulator.status().find((s) => s.id === 'clinic-a-01')?.phase === 'succeeded' && simulator.status().find((s) => s.id === 'clinic-b-01')?.phase === 'failed';
    await eventually(done, { clock, what: () => JSON.stringify(simulator.status()) });
    // One more round of check-ins so the controller has the final reports.
    const seen = simulator.status().map((s) => s.checkins);
    await eventually(() => simulator.status().every((s, i) => s.checkins > (seen[i] ?? 0)), { clock });

    expect(await statusOf('clinic-a-01')).toMatchObject({ status: 'succeeded' });
    const failed = await statusOf('clinic-b-01');
    expect(failed?.status).toBe('failed');
    expect(failed?.reason).toMatch(/^failed 1 time: sha256 mismatch: expected [0-9a-f]{64}, got [0-9a-f]{64}$/);
    const ignoring = await statusOf('clinic-c-01');
    expect(ignoring?.status).toBe('pending');
    expect(ignoring?.reason).toMatch(/never acknowledged it$/);
  });
});
