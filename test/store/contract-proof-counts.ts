import fc from 'fast-check';
import { expect, it } from 'vitest';
import type { NewProof, ProofStatus, Store } from '../../controller/store/store.js';
import type { StoreHarness } from './harness.js';
import { versionsFrom } from './harness.js';

const NOW = new Date('2026-01-31T12:00:00Z');
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const STATUSES: ProofStatus[] = ['pending', 'anchored', 'expired', 'failed'];

function proof(bundleId: string, createdAt: Date, status: ProofStatus): NewProof {
  const at = createdAt.toISOString();
  return { bundleId, bundleSha256: 'cd'.repeat(32), status, createdAt, proof: Uint8Array.from([0x00]), calendars: { c: { answer: 'pending', at, since: at } } };
}

/** The stored counters and a count of the rows, each as [status, count] for every status. */
async function countersAndScan(h: StoreHarness): Promise<{ counters: [string, number][]; scan: [string, number][] }> {
  const counters = await h.sql('SELECT status, count FROM ots_proof_counts ORDER BY status');
  const scanned = new Map((await h.sql('SELECT status, count(*) AS n FROM ots_proofs GROUP BY status')).map((r) => [r.status, Number(r.n)]));
  return {
    counters: counters.map((r) => [String(r.status), Number(r.count)]),
    scan: [...STATUSES].sort().map((s) => [s, scanned.get(s) ?? 0]),
  };
}

type Operation =
  | { op: 'insert'; bundle: number; ageMinutes: number; status: ProofStatus }
  | { op: 'update'; pick: number; status: ProofStatus | undefined }
  | { op: 'expire'; ageMinutes: number }
  | { op: 'rewrite'; batch: number };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  // Few bundle ids, so that some inserts find their bundle stored already and insert nothing.
  fc.record({ op: fc.constant('insert' as const), bundle: fc.integer({ min: 0, max: 9 }), ageMinutes: fc.integer({ min: 0, max: 10 * 24 * 60 }), status: fc.constantFrom(...STATUSES) }),
  fc.record({ op: fc.constant('update' as const), pick: fc.nat(), status: fc.option(fc.constantFrom(...STATUSES), { nil: undefined }) }),
  fc.record({ op: fc.constant('expire' as const), ageMinutes: fc.integer({ min: 0, max: 10 * 24 * 60 }) }),
  fc.record({ op: fc.constant('rewrite' as const), batch: fc.integer({ min: 1, max: 5 }) }),
);

async function run(store: Store, operations: Operation[]): Promise<void> {
  const ids: number[] = [];
  for (const o of operations) {
    if (o.op === 'insert') ids.push((await store.insertProof(proof(`p${o.bundle}`, new Date(NOW.getTime() - o.ageMinutes * MINUTE), o.status))).proof.id);
    // An update without a status (a check) must leave the counters alone.
    else if (o.op === 'update' && ids.length) await store.updateProof(ids[o.pick % ids.length] as number, o.status ? { status: o.status } : { checkedAt: NOW });
    else if (o.op === 'expire') await store.expireProofs(new Date(NOW.getTime() - o.ageMinutes * MINUTE));
    else if (o.op === 'rewrite') await store.rewriteExpiredProofs(o.batch);
  }
}

/** Proof counts kept as stored counters: always what a scan of the rows would say. */
export function proofCountsContract(h: () => StoreHarness): void {
  it('keeps the stored counters equal to a scan of the rows after any proof writes', async () => {
    const { store } = h();
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { maxLength: 25 }), async (operations) => {
        await store.rewriteExpiredProofs();
        await h().resetProofs();
        await run(store, operations);
        // expireProofs leaves a rewrite running; a batch committing between the two reads below would
        // make them disagree though each is right, so let it finish first.
        await store.rewriteExpiredProofs();
        const { counters, scan } = await countersAndScan(h());
        expect(counters).toEqual(scan);
      }),
      { numRuns: 20 },
    );
  });

  it('counts the proofs of a database made by the previous version once, when it migrates', async () => {
    const previous = versionsFrom(h().store, 0).at(-2) as number;
    const old = await h().databaseAt(previous);
    const postgres = h().store.kind === 'postgres';
    const created = (days: number) => (postgres ? `'${new Date(NOW.getTime() - days * DAY).toISOString()}'` : String(NOW.getTime() - days * DAY));
    const bytes = postgres ? "'\\x00'::bytea" : "X'00'";
    const seeded: [ProofStatus, number][] = [['pending', 3], ['anchored', 5], ['expired', 2], ['failed', 1]];
    for (const [status, count] of seeded) {
      for (let i = 0; i < count; i++) {
        await old.sql(`INSERT INTO ots_proofs (bundle_id, bundle_sha256, status, created_at, proof, calendars) VALUES ('${status}-${i}', 'ab', '${status}', ${created(i)}, ${bytes}, '{}')`);
      }
    }
    const store = old.open();
    expect((await store.migrate()).applied).toEqual([previous + 1]);
    const counters = await old.sql('SELECT status, count FROM ots_proof_counts ORDER BY status');
    expect(counters.map((r) => [r.status, Number(r.count)])).toEqual([['anchored', 5], ['expired', 2], ['failed', 1], ['pending', 3]]);
    expect((await store.proofStats(NOW)).byStatus).toEqual({ pending: 3, anchored: 5, expired: 2, failed: 1 });
    await store.insertProof(proof('new', NOW, 'pending'));
    expect((await store.loadObserved(NOW)).state.proofs).toMatchObject({ anchored: 5, expired: 2, failed: 1 });
    expect((await store.proofStats(NOW)).byStatus.pending).toBe(4);
  });
}
