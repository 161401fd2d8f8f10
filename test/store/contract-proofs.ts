import { expect, it } from 'vitest';
import type { CalendarProofState, NewProof } from '../../controller/store/store.js';
import type { StoreHarness } from './harness.js';

const NOW = new Date('2026-01-31T12:00:00Z');
const HOUR = 3_600_000;
const CAL_A = 'https://a.pool.example';
const CAL_B = 'https://b.pool.example';

function proof(bundleId: string, createdAt: Date, fields: Partial<NewProof> = {}): NewProof {
  return {
    bundleId,
    bundleSha256: 'cd'.repeat(32),
    status: 'pending',
    createdAt,
    proof: Uint8Array.from([0x00, 0x4f, 0x70, 0xff]),
    calendars: { [CAL_A]: { answer: 'submitted', at: createdAt.toISOString(), since: createdAt.toISOString() } },
    ...fields,
  };
}

/** The ots_proofs rows the OpenTimestamps lifecycle works on: the same tests on every store. */
export function proofsContract(h: () => StoreHarness): void {
  it('inserts a proof once per bundle and returns it with its bytes', async () => {
    const { store } = h();
    const first = await store.insertProof(proof('bundle-1', NOW));
    expect(first.created).toBe(true);
    expect(first.proof).toMatchObject({ bundleId: 'bundle-1', status: 'pending', createdAt: NOW.toISOString(), upgradedAt: null, checkedAt: null });
    expect([...first.proof.proof]).toEqual([0x00, 0x4f, 0x70, 0xff]);
    const again = await store.insertProof(proof('bundle-1', new Date(NOW.getTime() + 1000), { bundleSha256: 'ee'.repeat(32) }));
    expect(again).toEqual({ proof: first.proof, created: false });
  });

  it('hands out proofs to upgrade least recently checked first, expired ones only when asked', async () => {
    const { store } = h();
    const ids: Record<string, number> = {};
    for (const [name, ageHours] of [['old', 5], ['mid', 3], ['new', 1], ['gone', 9], ['done', 8]] as const) {
      ids[name] = (await store.insertProof(proof(name, new Date(NOW.getTime() - ageHours * HOUR)))).proof.id;
    }
    await store.updateProof(ids.old as number, { checkedAt: NOW });
    await store.updateProof(ids.gone as number, { status: 'expired' });
    await store.updateProof(ids.done as number, { status: 'anchored', upgradedAt: NOW });
    expect((await store.pendingProofs(10)).map((p) => p.bundleId)).toEqual(['mid', 'new', 'old']);
    expect((await store.pendingProofs(2)).map((p) => p.bundleId)).toEqual(['mid', 'new']);
    expect((await store.pendingProofs(10, { includeExpired: true })).map((p) => p.bundleId)).toEqual(['gone', 'mid', 'new', 'old']);
  });

  it('updates the given fields of a proof only', async () => {
    const { store } = h();
    const { proof: row } = await store.insertProof(proof('b', NOW));
    const calendars: Record<string, CalendarProofState> = { [CAL_A]: { answer: 'upgraded', at: NOW.toISOString(), since: NOW.toISOString(), attempts: 2 } };
    expect(await store.updateProof(row.id, { status: 'anchored', proof: Buffer.from('upgraded'), calendars, upgradedAt: NOW, checkedAt: NOW })).toBe(true);
    const [updated] = await store.pendingProofs(1, { includeExpired: true });
    expect(updated).toBeUndefined();
    const stored = await store.insertProof(proof('b', NOW));
    expect(stored.proof).toEqual({
      ...row,
      status: 'anchored',
      proof: Buffer.from('upgraded'),
      calendars,
      upgradedAt: NOW.toISOString(),
      checkedAt: NOW.toISOString(),
    });
    expect(await store.updateProof(row.id, {})).toBe(true);
    expect(await store.updateProof(row.id + 1000, { status: 'failed' })).toBe(false);
  });

  it('reports counts by status, pending by age and answers per calendar', async () => {
    const { store } = h();
    const at = (ms: number) => new Date(NOW.getTime() - ms);
    const answer = (a: CalendarProofState['answer']): CalendarProofState => ({ answer: a, at: NOW.toISOString(), since: NOW.toISOString() });
    await store.insertProof(proof('fresh', at(10 * 60_000), { calendars: { [CAL_A]: answer('pending'), [CAL_B]: answer('notFound') } }));
    await store.insertProof(proof('hours', at(5 * HOUR), { calendars: { [CAL_A]: answer('pending'), [CAL_B]: answer('waiting') } }));
    await store.insertProof(proof('days', at(3 * 24 * HOUR), { calendars: { [CAL_A]: answer('error') } }));
    await store.insertProof(proof('weeks', at(7 * 24 * HOUR), { calendars: {} }));
    await store.insertProof(proof('anchored', at(HOUR), { status: 'anchored' }));
    await store.insertProof(proof('failed', at(HOUR), { status: 'failed', calendars: {} }));
    expect(await store.proofStats(NOW)).toEqual({
      byStatus: { pending: 4, anchored: 1, expired: 0, failed: 1 },
      pendingByAge: [
        { label: '<1h', minAgeMs: 0, maxAgeMs: HOUR, count: 1 },
        { label: '1h-1d', minAgeMs: HOUR, maxAgeMs: 24 * HOUR, count: 1 },
        { label: '1d-7d', minAgeMs: 24 * HOUR, maxAgeMs: 7 * 24 * HOUR, count: 1 },
        { label: '>=7d', minAgeMs: 7 * 24 * HOUR, maxAgeMs: null, count: 1 },
      ],
      oldestPendingAt: at(7 * 24 * HOUR).toISOString(),
      calendars: [
        { calendar: CAL_A, answers: { pending: 2, error: 1 } },
        { calendar: CAL_B, answers: { notFound: 1, waiting: 1 } },
      ],
    });
  });
}
