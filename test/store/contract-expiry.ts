import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { NewProof, ProofStatus, Store } from '../../controller/store/store.js';
import type { StoreHarness } from './harness.js';
import { latestVersion } from '../../controller/store/migration.js';
import { SQLITE_MIGRATIONS } from '../../controller/store/sqlite-migrations.js';

const NOW = new Date('2026-01-31T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CUTOFF = new Date(NOW.getTime() - 7 * DAY);
const CAL = 'https://a.pool.example';

function proof(bundleId: string, createdAt: Date, status: ProofStatus = 'pending'): NewProof {
  const at = createdAt.toISOString();
  return { bundleId, bundleSha256: 'cd'.repeat(32), status, createdAt, proof: Uint8Array.from([0x00, 0x4f]), calendars: { [CAL]: { answer: 'pending', at, since: at } } };
}

/** What every reader says about the proofs, in one comparable value. */
async function readers(store: Store) {
  const stats = await store.proofStats(NOW);
  const { proofs } = (await store.loadObserved(NOW)).state;
  const toUpgrade = (await store.pendingProofs(1000)).map((p) => `${p.bundleId}:${p.status}`).sort();
  const withExpired = (await store.pendingProofs(1000, { includeExpired: true })).map((p) => `${p.bundleId}:${p.status}`).sort();
  return {
    byStatus: stats.byStatus,
    oldestPendingAt: stats.oldestPendingAt,
    pendingByAge: stats.pendingByAge.map((b) => b.count),
    calendars: stats.calendars,
    observed: { pending: proofs.pending.reduce((n, b) => n + b.count, 0), anchored: proofs.anchored, expired: proofs.expired, failed: proofs.failed },
    toUpgrade,
    withExpired,
  };
}

/** Expiry as a recorded cutoff with the rewrite trailing behind, and the migration that brought it. */
export function expiryContract(h: () => StoreHarness): void {
  it('expires old pending proofs for every reader the moment expireProofs resolves; recent and settled ones untouched', async () => {
    const { store } = h();
    await store.insertProof(proof('old-1', new Date(CUTOFF.getTime() - DAY)));
    await store.insertProof(proof('old-2', new Date(CUTOFF.getTime() - 1)));
    await store.insertProof(proof('edge', CUTOFF));
    await store.insertProof(proof('recent', new Date(NOW.getTime() - HOUR)));
    await store.insertProof(proof('anchored-old', new Date(CUTOFF.getTime() - DAY), 'anchored'));
    await store.insertProof(proof('failed-old', new Date(CUTOFF.getTime() - DAY), 'failed'));
    await store.insertProof(proof('expired-before', new Date(CUTOFF.getTime() - 2 * DAY), 'expired'));

    expect(await store.expireProofs(CUTOFF)).toBe(2);
    const want = {
      byStatus: { pending: 2, anchored: 1, expired: 3, failed: 1 },
      oldestPendingAt: CUTOFF.toISOString(),
      pendingByAge: [0, 1, 0, 1],
      calendars: [{ calendar: CAL, answers: { pending: 2 } }],
      observed: { pending: 2, anchored: 1, expired: 3, failed: 1 },
      toUpgrade: ['edge:pending', 'recent:pending'],
      withExpired: ['edge:pending', 'expired-before:expired', 'old-1:expired', 'old-2:expired', 'recent:pending'],
    };
    expect(await readers(store)).toEqual(want);
    expect((await store.insertProof(proof('old-1', NOW))).proof.status).toBe('expired');

    // The trailing rewrite changes the stored rows, and nothing any reader sees.
    await store.rewriteExpiredProofs();
    const stored = await h().sql("SELECT bundle_id, status FROM ots_proofs WHERE bundle_id LIKE 'old-%' ORDER BY bundle_id");
    expect(stored).toEqual([
      { bundle_id: 'old-1', status: 'expired' },
      { bundle_id: 'old-2', status: 'expired' },
    ]);
    expect(await readers(store)).toEqual(want);
    expect(await store.expireProofs(CUTOFF)).toBe(0);
  });

  it('upgrades an expired proof to anchored, before and after its row is rewritten', async () => {
    const { store } = h();
    await store.insertProof(proof('a', new Date(CUTOFF.getTime() - DAY)));
    await store.insertProof(proof('b', new Date(CUTOFF.getTime() - DAY)));
    expect(await store.expireProofs(CUTOFF)).toBe(2);
    const [first] = await store.pendingProofs(1, { includeExpired: true });
    expect(first?.status).toBe('expired');
    expect(await store.updateProof(first?.id as number, { status: 'anchored', upgradedAt: NOW, checkedAt: NOW })).toBe(true);
    await store.rewriteExpiredProofs();
    const [second] = await store.pendingProofs(1, { includeExpired: true });
    expect(second).toMatchObject({ status: 'expired' });
    expect(await store.updateProof(second?.id as number, { status: 'anchored', upgradedAt: NOW, checkedAt: NOW })).toBe(true);
    expect((await store.proofStats(NOW)).byStatus).toEqual({ pending: 0, anchored: 2, expired: 0, failed: 0 });
    expect(await store.pendingProofs(10, { includeExpired: true })).toEqual([]);
  });

  it('never moves the cutoff back: an earlier one expires nothing, a later one only what lies between', async () => {
    const { store } = h();
    for (const days of [20, 10, 8, 6, 1]) await store.insertProof(proof(`d${days}`, new Date(NOW.getTime() - days * DAY)));
    expect(await store.expireProofs(new Date(NOW.getTime() - 9 * DAY))).toBe(2);
    expect(await store.expireProofs(new Date(NOW.getTime() - 30 * DAY))).toBe(0);
    expect(await store.expireProofs(new Date(NOW.getTime() - 9 * DAY))).toBe(0);
    expect((await store.proofStats(NOW)).byStatus).toMatchObject({ pending: 3, expired: 2 });
    expect(await store.expireProofs(new Date(NOW.getTime() - 5 * DAY))).toBe(2);
    expect((await store.proofStats(NOW)).byStatus).toMatchObject({ pending: 1, expired: 4 });
  });

  it('rewrites tens of thousands of rows in bounded batches behind a cutoff readers already apply', async () => {
    const { store } = h();
    await h().seedProofs(25_000, 'pending', new Date(CUTOFF.getTime() - DAY), 'old');
    await h().seedProofs(2_000, 'pending', new Date(CUTOFF.getTime() + 60_000), 'recent');
    await h().seedProofs(1_000, 'anchored', new Date(CUTOFF.getTime() - DAY), 'anchored');
    const batches: number[] = [];
    expect(await store.expireProofs(CUTOFF, 4000, (n) => batches.push(n))).toBe(25_000);
    expect((await store.loadObserved(NOW)).state.proofs).toEqual({
      pending: [{ createdAt: new Date(CUTOFF.getTime() + 60_000).toISOString(), count: 2000 }],
      anchored: 1000,
      expired: 25_000,
      failed: 0,
    });
    await store.rewriteExpiredProofs(4000);
    expect(Math.max(...batches)).toBeLessThanOrEqual(4000);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(25_000);
    expect(batches.length).toBeGreaterThanOrEqual(7);
    const stored = await h().sql('SELECT status, count(*) AS n FROM ots_proofs GROUP BY status ORDER BY status');
    expect(stored.map((r) => [r.status, Number(r.n)])).toEqual([['anchored', 1000], ['expired', 25_000], ['pending', 2000]]);
  });

  it('counts exactly whatever the proofs and the cutoffs (every reader agrees with a model)', async () => {
    const { store } = h();
    const statuses: ProofStatus[] = ['pending', 'pending', 'pending', 'anchored', 'expired', 'failed'];
    const proofs = fc.array(fc.record({ ageMinutes: fc.integer({ min: 0, max: 20 * 24 * 60 }), status: fc.constantFrom(...statuses) }), { maxLength: 25 });
    const cutoffs = fc.array(fc.integer({ min: 0, max: 20 * 24 * 60 }), { minLength: 1, maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(proofs, cutoffs, fc.boolean(), async (given, ages, rewrite) => {
        await store.rewriteExpiredProofs();
        await h().resetProofs();
        const rows = given.map((p, i) => ({ ...p, id: `p${i}`, createdMs: NOW.getTime() - p.ageMinutes * 60_000 }));
        for (const r of rows) await store.insertProof(proof(r.id, new Date(r.createdMs), r.status));
        let cutoffMs = -Infinity;
        let expired = 0;
        for (const age of ages) {
          const at = NOW.getTime() - age * 60_000;
          const want = at <= cutoffMs ? 0 : rows.filter((r) => r.status === 'pending' && r.createdMs >= cutoffMs && r.createdMs < at).length;
          expect(await store.expireProofs(new Date(at))).toBe(want);
          cutoffMs = Math.max(cutoffMs, at);
          expired += want;
        }
        if (rewrite) await store.rewriteExpiredProofs(3);
        const effective = rows.map((r) => (r.status === 'pending' && r.createdMs < cutoffMs ? 'expired' : r.status));
        const count = (s: ProofStatus) => effective.filter((e) => e === s).length;
        const got = await readers(store);
        expect(got.byStatus).toEqual({ pending: count('pending'), anchored: count('anchored'), expired: count('expired'), failed: count('failed') });
        expect(got.observed).toEqual(got.byStatus);
        expect(expired).toBe(rows.filter((r) => r.status === 'pending' && r.createdMs < cutoffMs).length);
        expect(got.toUpgrade).toEqual(rows.filter((_, i) => effective[i] === 'pending').map((r) => `${r.id}:pending`).sort());
      }),
      { numRuns: 15 },
    );
  });

  it('migrates a database written by the previous version with every proof and finding as it was', async () => {
    const old = await h().databaseAt(2);
    const postgres = h().store.kind === 'postgres';
    // As the previous version stored them: timestamptz and bytea on PostgreSQL, epoch ms and a blob on SQLite.
    const created = (days: number) => (postgres ? `'${new Date(NOW.getTime() - days * DAY).toISOString()}'` : String(NOW.getTime() - days * DAY));
    const bytes = postgres ? "'\\x00'::bytea" : "X'00'";
    const rows: [string, ProofStatus, number][] = [
      ['pending-old', 'pending', 10],
      ['pending-new', 'pending', 1],
      ['expired', 'expired', 12],
      ['anchored', 'anchored', 9],
      ['failed', 'failed', 3],
    ];
    for (const [id, status, days] of rows) {
      await old.sql(`INSERT INTO ots_proofs (bundle_id, bundle_sha256, status, created_at, proof, calendars) VALUES ('${id}', 'ab', '${status}', ${created(days)}, ${bytes}, '{}')`);
    }
    await old.sql(
      `INSERT INTO findings (key, type, severity, policy, message, first_seen, last_seen)
       VALUES ('OtsBacklog///ots', 'OtsBacklog', 'warning', 'ots', 'backlog', '2026-01-30T00:00:00Z', '2026-01-30T00:00:00Z')`,
    );
    const store = old.open();
    // Every later migration applies too.
    const latest = latestVersion(SQLITE_MIGRATIONS);
    expect(await store.migrate()).toEqual({ applied: SQLITE_MIGRATIONS.map((m) => m.version).filter((v) => v > 2), version: latest });
    expect((await store.proofStats(NOW)).byStatus).toEqual({ pending: 2, anchored: 1, expired: 1, failed: 1 });
    expect(await store.listFindings()).toEqual([
      { key: 'OtsBacklog///ots', type: 'OtsBacklog', severity: 'warning', policy: 'ots', message: 'backlog', firstSeen: '2026-01-30T00:00:00Z', lastSeen: '2026-01-30T00:00:00Z', resolvedAt: null },
    ]);
    expect(await store.expireProofs(new Date(NOW.getTime() - 7 * DAY))).toBe(1);
    expect((await store.proofStats(NOW)).byStatus).toEqual({ pending: 1, anchored: 1, expired: 2, failed: 1 });
  });
}
