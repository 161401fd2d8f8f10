import { existsSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type * as ControllerModule from '../../controller/runtime/controller.js';
import type { RunningController } from '../../controller/runtime/controller.js';
import { checkinBody, post } from '../api/api-harness.js';
import { smallFleetFiles, writeFiles } from '../helpers/fleet.js';
import { createTestDatabase } from '../helpers/pg.js';
import { tempDir } from '../helpers/tmp.js';

// The reconcile worker runs compiled code: this test starts the built controller, as `muster controller` does.
const BUILT = new URL('../../dist/controller/runtime/controller.js', import.meta.url);
const silent = pino({ level: 'silent' });
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function builtController(db: string, repo: string): Promise<RunningController> {
  if (!existsSync(fileURLToPath(BUILT))) throw new Error('run `npm run build` first: the reconcile worker runs the built sources');
  const { startController } = (await import(BUILT.href)) as typeof ControllerModule;
  const controller = await startController({ repo, db, host: '127.0.0.1', port: 0, logger: silent, intervalMs: 60_000, reconcileWorker: 'always' });
  cleanups.push(() => controller.stop());
  return controller;
}

const stores = [
  {
    name: 'SQLite',
    db: async (dir: string) => {
      // The database, its journal and its lock file.
      cleanups.push(() => ['', '-wal', '-shm', '.lock'].forEach((suffix) => rmSync(`${dir}.db${suffix}`, { force: true })));
      return `${dir}.db`;
    },
  },
  {
    name: 'PostgreSQL',
    db: async () => {
      const { url, drop } = await createTestDatabase();
      cleanups.push(drop);
      return url;
    },
  },
];

describe.each(stores)('the controller with passes on the reconcile worker ($name)', ({ db }) => {
  it('applies the plan, answers check-ins with their targets, and serves the plan and its gauges', async () => {
    const repo = tempDir();
    cleanups.push(repo.remove);
    writeFiles(repo.dir, smallFleetFiles());
    const controller = await builtController(await db(repo.dir), repo.dir);

    const outcome = await controller.reconcileNow();

    expect(outcome).toMatchObject({ kind: 'planned', applied: true });
    // Planned on the worker: the answers and counts came computed, the plan as bytes.
    expect('computed' in outcome).toBe(true);
    const rollout = (await controller.store.loadObserved(new Date())).state.rollouts.find((r) => r.name === 'v1.0.51');
    // 50% of three appliances is two, assigned by the worker's apply.
    expect(rollout?.assignments).toHaveLength(2);
    const assigned = (controller.plan()?.appliances ?? []).filter((a) => a.target === 'v1.0.51').map((a) => a.id);
    expect(assigned).toHaveLength(2);
    const token = (await controller.store.issueToken(assigned[0] as string)) as string;
    const res = await post(`${controller.url}/v1/checkin`, checkinBody(), token);
    expect(res.status).toBe(200);
    expect(res.body.target).toMatchObject({ name: 'v1.0.51', version: '1.0.51' });
    const metrics = await (await fetch(`${controller.url}/metrics`)).text();
    expect(metrics).toMatch(/muster_actions_applied_total\{type="AssignRelease"\} 2/);
    expect(metrics).toMatch(/muster_rollouts\{phase="[A-Za-z]+"\} 1/);
  }, 60_000);

  it('writes the notifications a worker pass causes to the outbox, with the findings the controller worked out', async () => {
    const repo = tempDir();
    cleanups.push(repo.remove);
    const notifier =
      'apiVersion: muster.dev/v1alpha1\nkind: Notifier\nmetadata:\n  name: ops\nspec:\n  format: json\n' +
      '  urlFrom:\n    env: MUSTER_TEST_UNSET_NOTIFIER_URL\n  on:\n    rollouts: [Progressing]\n';
    writeFiles(repo.dir, { ...smallFleetFiles(), 'notifier.yaml': notifier });
    const controller = await builtController(await db(repo.dir), repo.dir);

    const outcome = await controller.reconcileNow();

    expect('computed' in outcome).toBe(true);
    const rows = await controller.store.outbox.list({ limit: 10 });
    expect(rows.map((r) => [r.notifier, r.kind])).toContainEqual(['ops', 'rollout.phase']);
    // The unset URL is found on the controller's thread and travels with the pass.
    expect(controller.plan()?.findings.map((f) => f.type)).toContain('NotifierMisconfigured');
  }, 60_000);
});
