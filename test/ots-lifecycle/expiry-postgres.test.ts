/**
 * Proof expiry end to end on PostgreSQL with tens of thousands of proofs: the reconcile pass plans
 * `ExpireProofs`, every reader sees it the moment it is applied, and the rows are rewritten behind
 * it in bounded batches while appliances keep checking in through the real API. What is measured is
 * that check-ins are answered meanwhile, not how fast.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../controller/store/store.js';
import { checkinBody, post, startTestApi, type TestApi } from '../api/api-harness.js';
import type { StoreHarness } from '../store/harness.js';
import { postgresHarness } from '../store/postgres-harness.js';
import { clockReading } from '../../lib/clock.js';
import { desiredWith, leaderPass } from './lifecycle-harness.js';

const DAY = 86_400_000;
const NOW = new Date('2026-03-02T10:00:00.000Z');
const OLD = new Date(NOW.getTime() - 8 * DAY);
const JUST_OLD = new Date(NOW.getTime() - 7 * DAY - 1000);
const RECENT = new Date(NOW.getTime() - 1 * DAY);
const JUST_RECENT = new Date(NOW.getTime() - 7 * DAY + 1000);
const EXPIRING = 24_000;
const STAYING = 8_000;
const APPLIANCES = ['lab-01', 'clinic-a-01', 'clinic-b-01'];
const desired = desiredWith(['https://alice.btc.calendar.opentimestamps.org']);

let h: StoreHarness;
let api: TestApi;
let tokens: string[];

beforeAll(async () => {
  h = await postgresHarness(clockReading(() => NOW.getTime()));
  tokens = await Promise.all(APPLIANCES.map(async (id) => (await h.store.issueToken(id)) as string));
  api = await startTestApi(h.store, desired, NOW);
});
afterAll(async () => {
  await api?.close();
  await h?.cleanup();
});
beforeEach(async () => {
  // The previous test's trailing rewrite is done before its rows go.
  await h.store.rewriteExpiredProofs();
  await h.resetProofs();
  await h.seedProofs(EXPIRING - 1, 'pending', OLD, 'old');
  await h.seedProofs(1, 'pending', JUST_OLD, 'just-old');
  await h.seedProofs(STAYING - 1, 'pending', RECENT, 'recent');
  await h.seedProofs(1, 'pending', JUST_RECENT, 'just-recent');
  await h.seedProofs(100, 'anchored', OLD, 'anchored');
});

/**
 * Appliances checking in back to back, round robin, until `stop()`; `answered` counts 200s, and
 * any other answer is kept to fail the test.
 */
function checkinTraffic() {
  const state = { answered: 0, others: [] as number[], running: true };
  const loops = tokens.map(async (token, i) => {
    for (let n = 0; state.running; n++) {
      const res = await post(`${api.url}/v1/checkin`, checkinBody({ imageVersion: `during-${i}-${n}` }), token);
      if (res.status === 200) state.answered += 1;
      else state.others.push(res.status);
    }
  });
  return {
    state,
    /** Resolves once at least `n` check-ins were answered (bounded poll, no fixed sleep). */
    answered: async (n: number) => {
      const deadline = Date.now() + 15_000;
      while (state.answered < n) {
        if (Date.now() > deadline) throw new Error(`only ${state.answered} check-ins answered`);
        await new Promise((resolve) => setImmediate(resolve));
      }
    },
    stop: async () => {
      state.running = false;
      await Promise.all(loops);
    },
  };
}

async function counts(store: Store) {
  const stats = await store.proofStats(NOW);
  return { ...stats.byStatus, oldestPendingAt: stats.oldestPendingAt };
}

/** How many rows are stored with each status (what the trailing rewrite changes). */
async function stored(): Promise<Record<string, number>> {
  const found = await h.sql('SELECT status, count(*)::int AS n FROM ots_proofs GROUP BY status');
  return Object.fromEntries(found.map((r) => [r.status as string, r.n as number]));
}

describe('proof expiry on PostgreSQL', () => {
  it('the reconcile pass plans ExpireProofs and expires exactly the proofs older than expireAfter, check-ins answered meanwhile', async () => {
    const traffic = checkinTraffic();
    await traffic.answered(3);
    const before = traffic.state.answered;
    const outcome = await leaderPass(h.store, desired, NOW, { expireBatch: 1_000 });
    const during = traffic.state.answered - before;
    await traffic.stop();

    if (outcome.kind !== 'planned') throw new Error(`pass ended ${outcome.kind}`);
    expect(outcome.plan.actions.filter((a) => a.type === 'ExpireProofs')).toEqual([
      { type: 'ExpireProofs', count: EXPIRING, olderThan: new Date(NOW.getTime() - 7 * DAY).toISOString() },
    ]);
    expect(outcome.expired).toBe(EXPIRING);
    expect(await counts(h.store)).toEqual({ pending: STAYING, expired: EXPIRING, anchored: 100, failed: 0, oldestPendingAt: JUST_RECENT.toISOString() });
    await h.store.rewriteExpiredProofs();
    expect(await stored()).toEqual({ pending: STAYING, expired: EXPIRING, anchored: 100 });
    expect(traffic.state.others).toEqual([]);
    expect(during).toBeGreaterThan(0);
    const lab = await h.store.getAppliance('lab-01');
    expect(lab?.imageVersion).toMatch(/^during-0-/);

    // The expiry is done: the next pass plans none.
    const next = await leaderPass(h.store, desired, NOW);
    expect(next.kind === 'planned' && next.plan.actions.filter((a) => a.type === 'ExpireProofs')).toEqual([]);
  });

  it('rewrites the rows in bounded batches behind the cutoff, and check-ins are answered between the batches', async () => {
    const traffic = checkinTraffic();
    await traffic.answered(3);
    const batches: { size: number; answeredSoFar: number }[] = [];
    const expired = await h.store.expireProofs(new Date(NOW.getTime() - 7 * DAY), 500, (size) => batches.push({ size, answeredSoFar: traffic.state.answered }));
    expect(expired).toBe(EXPIRING);
    expect(await counts(h.store)).toMatchObject({ pending: STAYING, expired: EXPIRING });
    await h.store.rewriteExpiredProofs();
    await traffic.stop();

    expect(batches.reduce((n, b) => n + b.size, 0)).toBe(EXPIRING);
    expect(Math.max(...batches.map((b) => b.size))).toBeLessThanOrEqual(500);
    expect(batches.length).toBeGreaterThanOrEqual(EXPIRING / 500);
    expect(batches.at(-1)!.answeredSoFar).toBeGreaterThan(batches[0]!.answeredSoFar);
    expect(traffic.state.others).toEqual([]);
    expect(await stored()).toEqual({ pending: STAYING, expired: EXPIRING, anchored: 100 });
    expect(await counts(h.store)).toMatchObject({ pending: STAYING, expired: EXPIRING });
  });

  it('expires rows another transaction holds for every reader at once; the rewrite takes them once released', async () => {
    await h.sql('BEGIN');
    await h.sql("SELECT id FROM ots_proofs WHERE bundle_id LIKE 'old-%' ORDER BY id LIMIT 50 FOR UPDATE");
    try {
      expect(await h.store.expireProofs(new Date(NOW.getTime() - 7 * DAY))).toBe(EXPIRING);
      const readers = async () => ({
        counts: await counts(h.store),
        observed: (await h.store.loadObserved(NOW)).state.proofs.expired,
        toUpgrade: (await h.store.pendingProofs(STAYING + 1)).length,
      });
      const want = { counts: { pending: STAYING, expired: EXPIRING, anchored: 100, failed: 0, oldestPendingAt: JUST_RECENT.toISOString() }, observed: EXPIRING, toUpgrade: STAYING };
      // The 50 held rows cannot have been rewritten yet: what the readers say comes from the cutoff.
      expect(await readers()).toEqual(want);
      await h.store.rewriteExpiredProofs();
      expect(await stored()).toEqual({ pending: STAYING + 50, expired: EXPIRING - 50, anchored: 100 });
      expect(await readers()).toEqual(want);
    } finally {
      await h.sql('COMMIT');
    }
    expect(await h.store.rewriteExpiredProofs()).toBe(50);
    expect(await stored()).toEqual({ pending: STAYING, expired: EXPIRING, anchored: 100 });
  });
});
