import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Plan } from '../../controller/reconcile/plan.js';
import { computeCohortOrder, stageSize } from '../../controller/reconcile/cohorts.js';
import { openStore } from '../../controller/store/open-store.js';
import type { Store } from '../../controller/store/store.js';
import { CliProcess, freePort, startMusterAgent, startMusterController } from '../agent/helpers/cli-processes.js';
import { muster } from '../helpers/cli.js';
import { writeFiles } from '../helpers/fleet.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/tmp.js';
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
  await CliProcess.killAll();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Running {
  dir: string;
  store: Store;
  plan: () => Promise<Plan | null>;
}

/**
 * `muster controller` on a fleet directory (watched: editing a file is a new revision) and a SQLite
 * file, and `muster-agent simulate` playing every declared appliance, each in its own process; the
 * test reads what the controller recorded from the same database.
 */
async function started(): Promise<Running> {
  const tmp = tempDir('muster-rollback-e2e-');
  cleanups.push(tmp.remove);
  const dir = join(tmp.dir, 'fleet');
  const db = join(tmp.dir, 'muster.db');
  writeFiles(dir, baseFleet());
  const issued = await muster(['appliance', 'token', '--all', '--repo', dir, '--db', db, '--format', 'json']);
  expect(issued.code, issued.stderr).toBe(0);
  writeFileSync(join(tmp.dir, 'tokens.json'), issued.stdout);
  writeFileSync(join(tmp.dir, 'profile.json'), JSON.stringify({ default: 'healthy', initialVersion: { agentVersion: '1.0.49', imageVersion: '1.0.49' } }));
  const port = await freePort();
  await startMusterController({ repo: dir, db, port, interval: '300ms' });
  startMusterAgent(['simulate', '--server', `http://127.0.0.1:${port}`, '--tokens', join(tmp.dir, 'tokens.json'), '--profile', join(tmp.dir, 'profile.json'), '--speed', '40']);
  const store = openStore(db);
  cleanups.push(() => store.close());
  return { dir, store, plan: async () => (await store.latestPlan())?.plan ?? null };
}

const rolloutOf = (p: Plan | null, name: string) => p?.rollouts.find((r) => r.name === name);
const everyoneOn = (p: Plan | null, release: string, rollout: string) =>
  E2E_APPLIANCES.every((id) => {
    const a = p?.appliances.find((x) => x.id === id);
    return a?.target === release && a.rollout === rollout && a.status === 'succeeded';
  });

async function until(what: string, check: (p: Plan | null) => boolean, r: Running, timeoutMs: number): Promise<Plan> {
  let last: Plan | null = null;
  await eventually(async () => check((last = await r.plan())), { what: what, timeoutMs });
  return last as unknown as Plan;
}

describe('rolling a fleet forward, back with a rollback rollout, then removing the rollback', () => {
  it('controller and simulated appliances as separate processes, on SQLite', async () => {
    const r = await started();
    const { dir, store } = r;

    // 1. Forward: v1.0.51 reaches every appliance.
    writeFiles(dir, rolloutFile());
    await until('v1.0.51 everywhere', (p) => rolloutOf(p, E2E_ROLLOUT)?.phase === 'Complete' && everyoneOn(p, 'v1.0.51', E2E_ROLLOUT), r, 60_000);

    // 2. Back: a rollback rollout of v1.0.49, stage by stage, each stage's cohort before the next.
    writeFiles(dir, { [ROLLBACK_FILE]: rollbackYaml });
    await until('v1.0.49 everywhere again', (p) => rolloutOf(p, ROLLBACK)?.phase === 'Complete' && everyoneOn(p, 'v1.0.49', ROLLBACK), r, 60_000);
    const events = (await store.listEvents({ rollout: ROLLBACK, limit: 500 })).reverse();
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
    expect(rolloutOf(await r.plan(), E2E_ROLLOUT)?.phase).toBe('Complete');

    // 3. Remove the rollback once done: nothing moves, and v1.0.51 does not take its appliances back.
    rmSync(join(dir, ROLLBACK_FILE));
    const removed = await until('the rollback removed', (p) => rolloutOf(p, ROLLBACK)?.phase === 'Removed', r, 20_000);
    // Passes go on with the appliances checking in; any action from the removal on is an event.
    await eventually(() => Date.now() > Date.parse(removed.now) + 4_000, { what: 'four more seconds of passes', timeoutMs: 20_000 });
    const after = (await store.listEvents({ limit: 500 })).filter((e) => e.at >= removed.now);
    expect(after.filter((e) => e.type === 'AssignRelease' || e.type === 'WithdrawRelease')).toEqual([]);
    const last = await r.plan();
    expect(everyoneOn(last, 'v1.0.49', ROLLBACK)).toBe(true);
    expect(rolloutOf(last, ROLLBACK)).toMatchObject({ phase: 'Removed', counts: { targeted: E2E_APPLIANCES.length, succeeded: E2E_APPLIANCES.length } });
  }, 150_000);
});
