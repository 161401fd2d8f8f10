import pino from 'pino';
import { simpleGit, type SimpleGit } from 'simple-git';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../lib/clock.js';
import { startSimulator } from '../../agent/simulator/simulator.js';
import { startController, type RunningController } from '../../controller/runtime/controller.js';
import { writeFiles } from '../helpers/fleet.js';
import { createTestDatabase } from '../helpers/pg.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/tmp.js';
import { baseFleet, E2E_APPLIANCES, E2E_ROLLOUT, lastStageMember, rolloutFile } from './e2e-fleet.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function commit(git: SimpleGit, dir: string, files: Record<string, string>, message: string): Promise<string> {
  writeFiles(dir, files);
  await git.add('.');
  await git.commit(message);
  return (await git.revparse(['HEAD'])).trim();
}

async function gitRepo(): Promise<{ dir: string; git: SimpleGit }> {
  const tmp = tempDir('muster-e2e-repo-');
  cleanups.push(tmp.remove);
  const git = simpleGit({ baseDir: tmp.dir });
  await git.init(['--initial-branch=main']);
  await git.addConfig('user.name', 'e2e').addConfig('user.email', 'e2e@muster.invalid');
  return { dir: tmp.dir, git };
}

async function run(db: string): Promise<void> {
  const { dir, git } = await gitRepo();
  await commit(git, dir, baseFleet(), 'fleet without a rollout');
  const cache = tempDir('muster-e2e-cache-');
  cleanups.push(cache.remove);
  const controller: RunningController = await startController({
    repo: `file://${dir}`,
    cacheDir: cache.dir,
    db,
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'silent' }),
    intervalMs: 300,
    fetchIntervalMs: 300,
    checkinDebounceMs: 200,
  });
  cleanups.push(() => controller.stop());
  await eventually(() => controller.isLeader(), { what: 'leadership' });
  const identities = [];
  for (const appliance of E2E_APPLIANCES) identities.push({ appliance, token: (await controller.store.issueToken(appliance)) as string });
  const faulty = lastStageMember();
  const simulator = startSimulator({
    server: controller.url,
    identities,
    profile: { default: 'healthy', rules: [{ pattern: faulty, behaviour: 'stuck-downloading' }], initialVersion: { agentVersion: '1.0.49', imageVersion: '1.0.49' } },
    clock: systemClock,
    speed: 40,
    startSpreadMs: 2_000,
  });
  cleanups.push(() => simulator.stop());

  // 1. Commit a rollout: the controller picks the commit up and starts stage 1.
  const withRollout = await commit(git, dir, rolloutFile(), 'roll out v1.0.51');
  await eventually(() => controller.plan()?.revision === withRollout && controller.plan()?.rollouts.some((r) => r.name === E2E_ROLLOUT), { what: 'the rollout commit', timeoutMs: 20_000 });

  // 2. Stages advance in order, one step at a time, while the faulty appliance is left behind.
  await eventually(() => controller.plan()?.rollouts.find((r) => r.name === E2E_ROLLOUT)?.stage === 3, { what: 'stage 3', timeoutMs: 45_000 });
  const advances = (await controller.store.listEvents({ rollout: E2E_ROLLOUT, limit: 100 })).filter((e) => e.type === 'AdvanceStage').reverse();
  expect(advances.map((e) => e.detail)).toMatchObject([
    { from: 1, to: 2 },
    { from: 2, to: 3 },
  ]);

  // 3. The faulty appliance is reported stuck, with the reason observed.
  const stuck = await eventually(() => controller.plan()?.appliances.find((a) => a.id === faulty && a.status === 'stuck'), { what: `${faulty} stuck`, timeoutMs: 45_000 });
  expect(stuck.reason).toMatch(/in phase downloading since/);
  const status = controller.plan()?.rollouts.find((r) => r.name === E2E_ROLLOUT);
  expect(status?.phase).toBe('Stalled');
  expect(status?.message).toMatch(/stuck/);
  expect(controller.plan()?.findings).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'StuckAppliance', appliance: faulty })]));

  // 4. A commit with a YAML error is rejected whole; the last good revision keeps acting.
  const broken = await commit(git, dir, { 'rollouts/v1.0.51.yaml': 'apiVersion: muster.dev/v1alpha1\nkind: Rollout\nmetadata:\n  name: [oops\n' }, 'broken YAML');
  await eventually(() => controller.source.status().lastAttemptedRevision === broken, { what: 'the broken commit to be tried', timeoutMs: 20_000 });
  expect(controller.source.status().lastAppliedRevision).toBe(withRollout);
  expect(controller.source.status().errors[0]).toMatchObject({ file: 'rollouts/v1.0.51.yaml' });
  await eventually(() => controller.plan()?.findings.some((f) => f.type === 'DesiredStateInvalid'), { what: 'the DesiredStateInvalid finding' });
  expect(controller.plan()?.revision).toBe(withRollout);
  expect(controller.plan()?.rollouts.find((r) => r.name === E2E_ROLLOUT)?.phase).toBe('Stalled');

  // 5. A commit pausing the rollout (and declaring a new appliance) stops new assignments.
  const newcomer = 'site-9-99';
  const paused = await commit(git, dir, { ...baseFleet([...E2E_APPLIANCES, newcomer]), ...rolloutFile('  paused: true') }, 'pause the rollout, add an appliance');
  await eventually(() => controller.plan()?.revision === paused, { what: 'the pausing commit', timeoutMs: 20_000 });
  expect(controller.plan()?.rollouts.find((r) => r.name === E2E_ROLLOUT)?.phase).toBe('Paused');
  expect(controller.plan()?.findings.some((f) => f.type === 'DesiredStateInvalid')).toBe(false);
  await controller.reconcileNow();
  await controller.reconcileNow();
  const assignments = (await controller.store.listEvents({ appliance: newcomer, limit: 10 })).filter((e) => e.type === 'AssignRelease');
  expect(assignments).toEqual([]);
  expect(controller.plan()?.appliances.find((a) => a.id === newcomer)?.target).toBeNull();
}

describe('a rollout end to end: git commits, the controller, simulated appliances', () => {
  it('on SQLite', async () => {
    const tmp = tempDir('muster-e2e-db-');
    cleanups.push(tmp.remove);
    await run(`${tmp.dir}/muster.db`);
  }, 120_000);

  it('on PostgreSQL', async () => {
    const db = await createTestDatabase();
    cleanups.push(db.drop);
    await run(db.url);
  }, 120_000);
});
