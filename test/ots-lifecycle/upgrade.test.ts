import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDetached } from '../../controller/ots/codec.js';
import { attestationsWithCommitments } from '../../controller/ots/commitments.js';
import { storedBundleId } from '../../controller/ots/lifecycle/evidence-request.js';
import { submitEvidence } from '../../controller/ots/lifecycle/submit-evidence.js';
import { reconcile } from '../../controller/reconcile/reconcile.js';
import type { ProofRow, ProofStatus } from '../../controller/store/store.js';
import { bitcoinContinuation } from '../ots/calendar-server.js';
import { EXPECTED, readFixture } from '../ots/fixtures.js';
import { ALICE, BOB, STORES, T0, sqliteStore, expectedCommitment, samples, startLifecycle, type Lifecycle } from './lifecycle-harness.js';

const HOUR = 3_600_000;
const T1 = new Date(T0.getTime() + HOUR);
const T2 = new Date(T0.getTime() + 2 * HOUR);
const SHA = createHash('sha256').update('incidents 2026-03-01').digest('hex');
const commitmentOf = (file: string, i = 0) => EXPECTED[file]!.pending[i]!.commitment;
const digestOf = (file: string) => EXPECTED[file]!.header.split('digest=')[1]!;

let l: Lifecycle;
afterEach(async () => l?.close());

/** Stores a real fixture proof as the lifecycle would have (`calendars` as submitted at T0). */
async function storeFixture(file: string, status: ProofStatus = 'pending', createdAt = T0): Promise<ProofRow> {
  const calendars = Object.fromEntries(
    EXPECTED[file]!.pending.map((p) => [p.calendar, { answer: 'submitted' as const, at: createdAt.toISOString(), since: createdAt.toISOString() }]),
  );
  const { proof } = await l.h.store.insertProof({ bundleId: `lab-01/${file}`, bundleSha256: digestOf(file), status, createdAt, proof: readFixture(file), calendars });
  return proof;
}

/** The stored row of a bundle, whatever its status: inserting a known bundle returns it unchanged. */
async function row(bundleId: string): Promise<ProofRow> {
  const { proof, created } = await l.h.store.insertProof({ bundleId, bundleSha256: '00', status: 'failed', createdAt: T0, proof: new Uint8Array(), calendars: {} });
  if (created) throw new Error(`${bundleId} was not stored`);
  return proof;
}

const paths = (server: Lifecycle['alice']) => server.requests.map((r) => `${r.method} ${r.path}`);

describe.each(STORES)('the upgrade job on %s', (_name, factory) => {
  it('evidence → pending → anchored: the calendar is asked about the commitment it stamped and its answer merged', async () => {
    l = await startLifecycle(factory);
    const bundleId = storedBundleId('lab-01', 'b-1');
    const client = l.calendars.forPolicy([ALICE, BOB]);
    await submitEvidence({ store: l.h.store, client }, { bundleId, sha256: SHA }, T0);
    const commitment = expectedCommitment(SHA, T0);
    l.alice.answers.set(commitment, { kind: 'timestamp', bytes: bitcoinContinuation() });

    l.clock.now = T1;
    const report = await l.job.runOnce(T1);

    expect(report).toMatchObject({ checked: 1, statuses: { anchored: 1 }, answers: { [ALICE]: { upgraded: 1 }, [BOB]: { pending: 1 } } });
    expect(report.changes).toEqual([
      { bundleId, from: 'pending', to: 'anchored', answers: [{ calendar: ALICE, from: 'submitted', to: 'upgraded' }, { calendar: BOB, from: 'submitted', to: 'pending' }] },
    ]);
    expect(paths(l.alice)).toEqual(['POST /digest', `GET /timestamp/${commitment}`]);
    expect(l.alice.requests[1]!.accept).toBe('application/vnd.opentimestamps.v1');
    expect(paths(l.bob)).toEqual(['POST /digest', `GET /timestamp/${commitment}`]);

    const stats = await l.h.store.proofStats(T1);
    expect(stats.byStatus).toEqual({ pending: 0, anchored: 1, expired: 0, failed: 0 });
    expect(await l.h.store.pendingProofs(10)).toEqual([]);
    // The stored proof now holds the Bitcoin attestation beside both pending ones.
    const proof = await row(bundleId);
    expect(proof).toMatchObject({ status: 'anchored', upgradedAt: T1.toISOString(), checkedAt: T1.toISOString() });
    expect(proof.calendars[ALICE]).toEqual({ answer: 'upgraded', at: T1.toISOString(), since: T1.toISOString(), attempts: 2 });
    const parsed = parseDetached(proof.proof);
    if (!parsed.ok) throw new Error(parsed.error.reason);
    expect(attestationsWithCommitments(parsed.value.digest, parsed.value.timestamp).map((a) => a.attestation.type).sort()).toEqual(['bitcoin', 'pending', 'pending']);
    expect(await samples(l.metrics, 'muster_ots_upgrade_answers_total')).toEqual({ [`${ALICE} upgraded`]: 1, [`${BOB} pending`]: 1 });

    expect((await l.job.runOnce(T2)).checked).toBe(0);
  });

  it('asks about the replayed commitment of real proofs, never the bundle hash or the last sha256 result', async () => {
    l = await startLifecycle(factory);
    await storeFixture('incomplete.txt.ots');
    await storeFixture('merkle1.txt.ots');
    l.alice.answers.set(commitmentOf('incomplete.txt.ots'), { kind: 'timestamp', bytes: bitcoinContinuation() });
    l.bob.answers.set(commitmentOf('merkle1.txt.ots', 1), { kind: 'pending' });
    l.alice.answers.set(commitmentOf('merkle1.txt.ots', 0), { kind: 'confirming', txid: 'ab'.repeat(32), confirmations: 2 });

    const report = await l.job.runOnce(T1);

    expect(report.statuses).toEqual({ anchored: 1, pending: 1 });
    expect(paths(l.alice).sort()).toEqual([`GET /timestamp/${commitmentOf('incomplete.txt.ots')}`, `GET /timestamp/${commitmentOf('merkle1.txt.ots', 0)}`].sort());
    expect(paths(l.bob)).toEqual([`GET /timestamp/${commitmentOf('merkle1.txt.ots', 1)}`]);
    const asked = [...l.alice.requests, ...l.bob.requests].map((r) => r.path.split('/').pop());
    for (const file of ['incomplete.txt.ots', 'merkle1.txt.ots']) {
      expect(asked).not.toContain(digestOf(file));
      for (const p of EXPECTED[file]!.pending) expect(asked).not.toContain(p.WRONG_last_sha256);
    }
    // "Pending confirmation" and "waiting for confirmations" are kept apart.
    const merkle = await row('lab-01/merkle1.txt.ots');
    expect(merkle.calendars[ALICE]).toMatchObject({ answer: 'waiting', message: expect.stringContaining('Timestamped by transaction') });
    expect(merkle.calendars[BOB]).toMatchObject({ answer: 'pending', message: 'Pending confirmation in Bitcoin blockchain' });
  });

  it('contacts only the policy calendars, whatever calendars a proof names', async () => {
    l = await startLifecycle(factory, [ALICE]);
    await storeFixture('two-calendars.txt.ots');
    await storeFixture('known-and-unknown-notary.txt.ots');

    const report = await l.job.runOnce(T1);

    expect(report.checked).toBe(2);
    expect(paths(l.alice)).toEqual([`GET /timestamp/${commitmentOf('two-calendars.txt.ots', 0)}`]);
    expect(l.bob.requests).toEqual([]);
    expect(l.finney.requests).toEqual([]);
    const two = await row('lab-01/two-calendars.txt.ots');
    expect(two.calendars[ALICE]).toMatchObject({ answer: 'notFound', attempts: 1 });
    expect(two.calendars[BOB]).toEqual({
      answer: 'error',
      at: T1.toISOString(),
      since: T1.toISOString(),
      message: 'not contacted: not one of the OtsPolicy calendars',
    });
    expect(await samples(l.metrics, 'muster_ots_upgrade_answers_total')).toEqual({ [`${ALICE} not-found`]: 1, 'other not-allowed': 2 });
  });

  it('records "Not found" per calendar; the next plan has an OtsCalendarNotFound finding for it', async () => {
    l = await startLifecycle(factory);
    await storeFixture('two-calendars.txt.ots');
    // alice lost it; bob still has it pending.
    l.bob.answers.set(commitmentOf('two-calendars.txt.ots', 1), { kind: 'pending' });

    await l.job.runOnce(T1);
    const again = await l.job.runOnce(T2);

    expect(again.changes).toEqual([]);
    const proof = await row('lab-01/two-calendars.txt.ots');
    expect(proof.status).toBe('pending');
    // The answer has stayed the same since T1: `since` keeps the first time, `at` the last.
    expect(proof.calendars[ALICE]).toEqual({ answer: 'notFound', at: T2.toISOString(), since: T1.toISOString(), attempts: 2, message: 'Not found' });
    expect(proof.calendars[BOB]).toMatchObject({ answer: 'pending', since: T1.toISOString() });

    const { state } = await l.h.store.loadObserved(T2);
    expect(state.proofs.notFound).toEqual([{ calendar: ALICE, count: 1, since: T1.toISOString() }]);
    const plan = reconcile(l.desired, state, T2);
    const findings = plan.findings.filter((f) => f.type === 'OtsCalendarNotFound');
    expect(findings).toEqual([expect.objectContaining({ type: 'OtsCalendarNotFound', calendar: ALICE, since: T1.toISOString(), policy: 'evidence' })]);
    expect(findings[0]!.message).toContain('1 proofs');
  });

  const expiries = [
    { name: 'stored as expired', given: async (old: Date) => void (await storeFixture('incomplete.txt.ots', 'expired', old)) },
    {
      name: 'expired by the recorded cutoff',
      given: async (old: Date) => {
        await storeFixture('incomplete.txt.ots', 'pending', old);
        expect(await l.h.store.expireProofs(new Date(T0.getTime() - 7 * 24 * HOUR))).toBe(1);
      },
    },
  ];
  it.each(expiries)('upgrades expired proofs ($name) only when asked to include them', async ({ given }) => {
    l = await startLifecycle(factory);
    await given(new Date(T0.getTime() - 30 * 24 * HOUR));
    l.alice.answers.set(commitmentOf('incomplete.txt.ots'), { kind: 'timestamp', bytes: bitcoinContinuation() });

    const plain = await l.job.runOnce(T1);
    expect(plain.checked).toBe(0);
    expect(l.alice.requests).toEqual([]);
    expect((await row('lab-01/incomplete.txt.ots')).status).toBe('expired');

    const withExpired = await l.job.runOnce(T1, { includeExpired: true });
    expect(withExpired.changes).toEqual([
      { bundleId: 'lab-01/incomplete.txt.ots', from: 'expired', to: 'anchored', answers: [{ calendar: ALICE, from: 'submitted', to: 'upgraded' }] },
    ]);
    expect((await l.h.store.proofStats(T1)).byStatus).toEqual({ pending: 0, anchored: 1, expired: 0, failed: 0 });
  });

  it('takes upgradeBatch proofs per run, least recently checked first', async () => {
    l = await startLifecycle(factory, [ALICE, BOB], '  upgradeBatch: 2');
    for (const [i, file] of ['incomplete.txt.ots', 'two-calendars.txt.ots', 'merkle1.txt.ots'].entries()) {
      await storeFixture(file, 'pending', new Date(T0.getTime() - (3 - i) * HOUR));
    }
    const first = await l.job.runOnce(T1);
    const second = await l.job.runOnce(T2);
    const checkedIn = (r: typeof first) => r.changes.map((c) => c.bundleId);
    expect(first.checked).toBe(2);
    expect(checkedIn(first)).toEqual(['lab-01/incomplete.txt.ots', 'lab-01/two-calendars.txt.ots']);
    expect(second.checked).toBe(2);
    expect(checkedIn(second)[0]).toBe('lab-01/merkle1.txt.ots');
  });

  it('rests a failing calendar without forgetting what it said before', async () => {
    l = await startLifecycle(factory, [ALICE]);
    await storeFixture('incomplete.txt.ots');
    l.alice.answers.set(commitmentOf('incomplete.txt.ots'), { kind: 'status', status: 503, body: 'maintenance' });

    l.clock.now = T1;
    await l.job.runOnce(T1);
    const failed = await row('lab-01/incomplete.txt.ots');
    expect(failed.calendars[ALICE]).toMatchObject({ answer: 'error', message: 'HTTP 503: maintenance', attempts: 1 });

    // Within the backoff the calendar is not contacted, and the row keeps the answer it had.
    l.clock.now = new Date(T1.getTime() + 1000);
    await l.job.runOnce(l.clock.now);
    expect(l.alice.requests).toHaveLength(1);
    expect((await row('lab-01/incomplete.txt.ots')).calendars[ALICE]).toEqual(failed.calendars[ALICE]);
  });
});

describe('without an OtsPolicy', () => {
  it('the job does nothing and says why', async () => {
    l = await startLifecycle(sqliteStore, null);
    await storeFixture('incomplete.txt.ots');
    const report = await l.job.runOnce(T1);
    expect(report).toMatchObject({ checked: 0, skipped: 'no OtsPolicy in the desired state' });
    expect(l.alice.requests).toEqual([]);
  });
});
