/**
 * The lifecycle inside a running controller: the evidence route is served, the leader's upgrade job
 * runs on the OtsPolicy's rhythm after reconcile passes, and the proof metrics are exported. The
 * controller's clock is moved by hand; its timers are real (the loop's own interval never comes).
 */
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDetached } from '../../controller/ots/codec.js';
import { pendingCommitments } from '../../controller/ots/commitments.js';
import { toHex } from '../../controller/ots/bytes.js';
import { startController } from '../../controller/runtime/controller.js';
import { clockReading } from '../../lib/clock.js';
import { post } from '../api/api-harness.js';
import { smallFleetFiles, writeFiles } from '../helpers/fleet.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/tmp.js';
import { bitcoinContinuation, routeTo, startCalendarServer } from '../ots/calendar-server.js';
import { ALICE, T0, otsPolicyFile } from './lifecycle-harness.js';

const HOUR = 3_600_000;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('the controller with an OtsPolicy', () => {
  it('takes evidence, anchors it on the leader’s next upgrade run, and exports the proof metrics', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const repo = join(tmp.dir, 'fleet');
    writeFiles(repo, { ...smallFleetFiles(), 'policies/ots.yaml': otsPolicyFile([ALICE]) });
    const clock = { now: T0 };
    const alice = await startCalendarServer({ uri: ALICE, now: () => clock.now.getTime() });
    cleanups.push(() => alice.close());
    const controller = await startController({
      repo,
      db: join(tmp.dir, 'muster.db'),
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'silent' }),
      intervalMs: 24 * HOUR,
      clock: clockReading(() => clock.now.getTime()),
      calendarFetch: routeTo({ [ALICE]: alice.url }),
    });
    cleanups.push(() => controller.stop());
    await controller.reconcileNow();
    const token = (await controller.store.issueToken('lab-01')) as string;

    const res = await post(`${controller.url}/v1/evidence`, { bundleId: 'b-1', sha256: 'cd'.repeat(32) }, token);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'pending', createdAt: T0.toISOString() });
    const [row] = await controller.store.pendingProofs(1);
    const parsed = parseDetached(row!.proof);
    if (!parsed.ok) throw new Error(parsed.error.reason);
    const [pending] = pendingCommitments(parsed.value.digest, parsed.value.timestamp);
    alice.answers.set(toHex(pending!.commitment), { kind: 'timestamp', bytes: bitcoinContinuation() });

    // Within upgradeEvery (1h) of the first run, a pass does not upgrade.
    clock.now = new Date(T0.getTime() + HOUR / 2);
    await controller.reconcileNow();
    expect(alice.requests.filter((r) => r.method === 'GET')).toEqual([]);

    // An hour after it, the pass sets the upgrade off; the pass does not wait for it.
    const runAt = new Date(T0.getTime() + HOUR + 1000);
    clock.now = runAt;
    await controller.reconcileNow();
    await eventually(async () => (await controller.store.proofStats(runAt)).byStatus.anchored === 1, { what: 'the proof to be anchored' });

    await controller.reconcileNow();
    const metrics = await (await fetch(`${controller.url}/metrics`)).text();
    expect(metrics).toContain('muster_ots_submissions_total{outcome="pending"} 1');
    expect(metrics).toContain(`muster_ots_upgrade_answers_total{calendar="${ALICE}",outcome="upgraded"} 1`);
    expect(metrics).toContain('muster_ots_proofs{status="anchored"} 1');
    expect(metrics).toContain('muster_ots_proofs{status="pending"} 0');
  });

  it('answers 409 to evidence while the desired state has no OtsPolicy', async () => {
    const tmp = tempDir();
    cleanups.push(tmp.remove);
    const repo = join(tmp.dir, 'fleet');
    writeFiles(repo, smallFleetFiles());
    const controller = await startController({ repo, db: join(tmp.dir, 'muster.db'), host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }), intervalMs: 24 * HOUR });
    cleanups.push(() => controller.stop());
    await controller.reconcileNow();
    const token = (await controller.store.issueToken('lab-01')) as string;
    const res = await post(`${controller.url}/v1/evidence`, { bundleId: 'b-1', sha256: 'cd'.repeat(32) }, token);
    expect(res.status).toBe(409);
    expect(res.body.message).toContain('no OtsPolicy');
  });
});
