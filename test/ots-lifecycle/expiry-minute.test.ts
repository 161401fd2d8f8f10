/**
 * Pending proofs are counted per minute of creation; a proof created late in a minute must not be
 * expired — planned, logged, counted — before it is `expireAfter` old, nor planned again and again
 * while the store (which compares exact times) still holds it pending. Found by the kill -9 suite:
 * proofs seeded mid-minute gave an `ExpireProofs` on every pass for up to a minute.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { desiredWith, leaderPass, STORES, T0, ALICE, type TestStore } from './lifecycle-harness.js';

const DAY = 86_400_000;
const desired = desiredWith([ALICE]);
/** 30 s into the minute that is exactly `expireAfter` (7d) before T0 (T0 is on a minute). */
const CREATED = new Date(T0.getTime() - 7 * DAY + 30_000);

let opened: TestStore | null = null;
afterEach(async () => {
  await opened?.cleanup();
  opened = null;
});

/** One leader pass at `now`; the ExpireProofs counts it applied. */
async function expiredBy(t: TestStore, now: Date): Promise<number[]> {
  const outcome = await leaderPass(t.store, desired, now);
  if (outcome.kind !== 'planned') throw new Error(`pass ended ${outcome.kind}`);
  return outcome.plan.actions.flatMap((a) => (a.type === 'ExpireProofs' ? [a.count] : []));
}

describe.each(STORES)('proof expiry by the minute, on %s', (_name, open) => {
  it('expires a proof once, no sooner than expireAfter, and counts what the store expired', async () => {
    const t = (opened = await open());
    await t.store.insertProof({ bundleId: 'late-in-minute', bundleSha256: 'ab'.repeat(32), status: 'pending', createdAt: CREATED, proof: new Uint8Array([0]), calendars: {} });
    const passes: { at: number; counts: number[]; expired: number }[] = [];
    // Passes 10 s apart from T0 + 10 s to T0 + 90 s: the proof is 7d old from T0 + 30 s.
    for (let s = 10; s <= 90; s += 10) {
      const now = new Date(T0.getTime() + s * 1000);
      const counts = await expiredBy(t, now);
      passes.push({ at: s, counts, expired: (await t.store.proofStats(now)).byStatus.expired });
    }
    const planned = passes.filter((p) => p.counts.length > 0);
    expect(planned.map((p) => p.counts)).toEqual([[1]]);
    const [first] = planned;
    expect(first?.at).toBeGreaterThan(30);
    expect(first?.expired).toBe(1);
    expect(passes.every((p) => p.expired === (p.at >= (first?.at ?? Infinity) ? 1 : 0))).toBe(true);
  });
});
