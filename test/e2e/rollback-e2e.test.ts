import { rmSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { simpleGit, type SimpleGit } from 'simple-git';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../agent/clock.js';
import { startSimulator } from '../../agent/simulator/simulator.js';
import { computeCohortOrder, stageSize } from '../../controller/reconcile/cohorts.js';
import { startController, type RunningController } from '../../controller/runtime/controller.js';
import { writeFiles } from '../helpers/fleet.js';
import { tempDir, waitFor } from '../helpers/tmp.js';
import { baseFleet, E2E_APPLIANCES, E2E_ROLLOUT, rolloutFile } from './e2e-fleet.js';

const ROLLBACK = 'back-to-v1.0.49';
const ROLLBACK_FILE = `rollouts/${ROLLBACK}.yaml`;
const rollbackYaml = [
  'apiVersion: muster.dev/v1alpha1',
  'kind: Rollout',
  'metadata:',
  `  name: ${ROLLBACK}`,
  'spec:',
  '  release: v1.0.49',
  '  rollback: true',
  '  stages:',
  '    - percent: 25',
  '      soak: 1s',
  '    - percent: 50',
  '      soak: 1s',
  '    - percent: 100',
  '  progressDeadline: 30s',
  '',
].join('\n');

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function commit(git: SimpleGit, message: string): Promise<string> {
  await git.add(['-A', '.']);
  await git.commit(message);
  return (await git.revparse(['HEAD'])).trim();
}

async function started(): Promise<{ dir: string; git: SimpleGit; controller: RunningController }> {
  const repo = tempDir('muster-rollback-repo-');
  const cache = tempDir('muster-rollback-cache-');
  const db = tempDir('muster-rollback-db-');
  cleanups.push(repo.remove, cache.remove, db.remove);
  const git = simpleGit({ baseDir: repo.dir });
  await git.init(['--initial-branch=main']);
  await git.addConfig('user.name', 'e2e').addConfig('user.email', 'e2e@muster.invalid');
  writeFiles(repo.dir, baseFleet());
  await commit(git, 'fleet without a rollout');
  const controller = await startController({
    repo: `file://${repo.dir}`,
    cacheDir: cache.dir,
    db: join(db.dir, 'muster.db'),
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'silent' }),
    intervalMs: 300,
    fetchIntervalMs: 300,
    checkinDebounceMs: 200,
  });
  cleanups.push(() => controller.stop());
  await waitFor(() => controller.isLeader(), 'leadership');
  return { dir: repo.dir, git, controller };
}

const rolloutOf = (c: RunningController, name: string) => c.plan()?.rollouts.find((r) => r.name === name);
const everyoneOn = (c: RunningController, release: string, rollout: string) =>
  E2E_APPLIANCES.every((id) => {
    const a = c.plan()?.appliances.find((x) => x.id === id);
    return a?.target === release && a.rollout === rollout && a.status === 'succeeded';
  });

describe('rolling a fleet forward, back with a rollback rollout, then removing the rollback', () => {
  it('on SQLite, with simulated appliances checking in over HTTP', async () => {
    const { dir, git, controller } = await started();
    const identities = [];
    for (const appliance of E2E_APPLIANCES) identities.push({ appliance, token: (await controller.store.issueToken(appliance)) as string });
    const simulator = startSimulator({
      server: controller.url,
      identities,
      profile: { default: 'healthy', rules: [], initialVersion: { agentVersion: '1.0.49', imageVersion: '1.0.49' } },
      clock: systemClock,
      speed: 40,
      startSpreadMs: 1_000,
    });
    cleanups.push(() => simulator.stop());

    // 1. Forward: v1.0.51 reaches every appliance.
    writeFiles(dir, rolloutFile());
    await commit(git, 'roll out v1.0.51');
    await waitFor(() => rolloutOf(controller, E2E_ROLLOUT)?.phase === 'Complete' && everyoneOn(controller, 'v1.0.51', E2E_ROLLOUT), 'v1.0.51 everywhere', 60_000);

    // 2. Back: a rollback rollout of v1.0.49, stage by stage, each stage's cohort before the next.
    writeFiles(dir, { [ROLLBACK_FILE]: rollbackYaml });
    await commit(git, 'roll back to v1.0.49');
    await waitFor(() => rolloutOf(controller, ROLLBACK)?.phase === 'Complete' && everyoneOn(controller, 'v1.0.49', ROLLBACK), 'v1.0.49 everywhere again', 60_000);
    const events = (await controller.store.listEvents({ rollout: ROLLBACK, limit: 500 })).reverse();
    expect(events.filter((e) => e.type === 'AdvanceStage').map((e) => e.detail)).toMatchObject([
      { from: 1, to: 2 },
      { from: 2, to: 3 },
    ]);
    const assigns = events.filter((e) => e.type === 'AssignRelease');
    expect(assigns).toHaveLength(E2E_APPLIANCES.length);
    for (const a of assigns) expect(a.detail).toMatchObject({ release: 'v1.0.49', previous: { rollout: E2E_ROLLOUT, release: 'v1.0.51' }, downgrade: true });
    // Assigned in cohort order, one stage's cohort at a time: stage 1's before the first advance.
    const order = computeCohortOrder(ROLLBACK, E2E_APPLIANCES);
    expect(assigns.map((e) => e.appliance)).toEqual(order);
    const firstAdvance = events.findIndex((e) => e.type === 'AdvanceStage');
    expect(events.slice(0, firstAdvance).filter((e) => e.type === 'AssignRelease')).toHaveLength(stageSize(25, E2E_APPLIANCES.length));
    expect(rolloutOf(controller, E2E_ROLLOUT)?.phase).toBe('Complete');

    // 3. Remove the rollback once done: nothing moves, and v1.0.51 does not take its appliances back.
    rmSync(join(dir, ROLLBACK_FILE));
    const removal = await commit(git, 'remove the finished rollback');
    await waitFor(() => controller.plan()?.revision === removal && rolloutOf(controller, ROLLBACK)?.phase === 'Removed', 'the rollback removed', 20_000);
    const removedAt = controller.plan()?.now as string;
    // Several more passes, with the appliances checking in all along.
    await waitFor(() => Date.parse(controller.plan()?.now ?? '') > Date.parse(removedAt) + 3_000, 'three more seconds of passes', 20_000);
    for (const rollout of [ROLLBACK, E2E_ROLLOUT]) {
      const moves = (await controller.store.listEvents({ rollout, limit: 500 })).filter((e) => (e.type === 'AssignRelease' || e.type === 'WithdrawRelease') && e.at >= removedAt);
      expect(moves, rollout).toEqual([]);
    }
    expect(everyoneOn(controller, 'v1.0.49', ROLLBACK)).toBe(true);
    expect(rolloutOf(controller, ROLLBACK)).toMatchObject({ phase: 'Removed', counts: { targeted: E2E_APPLIANCES.length, succeeded: E2E_APPLIANCES.length } });
  }, 150_000);
});
