/**
 * A plan's ExpireProofs and the expiry cutoff it stands for commit together: a controller killed
 * right after the plan's apply committed (before the pass went on to the proof expiry) must not,
 * once restarted, plan, log and count the expiry of the same proofs a second time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Action } from '../../controller/reconcile/plan.js';
import { reconcile } from '../../controller/reconcile/reconcile.js';
import { desiredWith, leaderPass, STORES, T0, ALICE, type TestStore } from './lifecycle-harness.js';

const DAY = 86_400_000;
const desired = desiredWith([ALICE]);
const OLD = new Date(T0.getTime() - 8 * DAY);
const RECENT = new Date(T0.getTime() - DAY);

let opened: TestStore | null = null;
afterEach(async () => {
  await opened?.cleanup();
  opened = null;
});

function expireCounts(actions: readonly Action[]): number[] {
  return actions.flatMap((a) => (a.type === 'ExpireProofs' ? [a.count] : []));
}

describe.each(STORES)('proof expiry applied once across a crash, on %s', (_name, open) => {
  it('a re-plan after a crash right after the apply committed expires nothing again', async () => {
    const t = (opened = await open());
    const created = [...['old-1', 'old-2', 'old-3'].map((id) => [id, OLD] as const), ['recent', RECENT] as const];
    for (const [bundleId, createdAt] of created) {
      await t.store.insertProof({ bundleId, bundleSha256: 'ab'.repeat(32), status: 'pending', createdAt, proof: new Uint8Array([0]), calendars: {} });
    }

    // The pass up to its apply's commit, and no further: the process dies there.
    const snapshot = await t.store.loadObserved(T0);
    const plan = reconcile(desired, snapshot.state, T0);
    expect(expireCounts(plan.actions)).toEqual([3]);
    const applied = await t.store.applyPlan(plan, { revision: desired.revision, expectedVersion: snapshot.version });
    expect(applied.applied).toBe(true);
    expect((await t.store.proofStats(T0)).byStatus).toMatchObject({ pending: 1, expired: 3 });

    // The restarted controller's first pass.
    const now = new Date(T0.getTime() + 10_000);
    const outcome = await leaderPass(t.store, desired, now);
    expect(outcome.kind).toBe('planned');
    if (outcome.kind !== 'planned') return;
    expect(expireCounts(outcome.plan.actions)).toEqual([]);
    expect(outcome.expired).toBe(0);
    const logged = (await t.store.listEvents({ limit: 1000 })).filter((e) => e.type === 'ExpireProofs');
    expect(logged.map((e) => e.detail)).toEqual([{ type: 'ExpireProofs', count: 3, olderThan: new Date(T0.getTime() - 7 * DAY).toISOString() }]);
    expect((await t.store.proofStats(now)).byStatus).toMatchObject({ pending: 1, expired: 3 });
    // The apply counted what it expired, for the pass to report.
    expect(applied.touched.proofsExpired).toBe(3);
  });
});
