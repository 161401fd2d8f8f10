import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../../controller/ots/bytes.js';
import { parseDetached } from '../../controller/ots/codec.js';
import { pendingCommitments } from '../../controller/ots/commitments.js';
import { evidencePlugin } from '../../controller/api/evidence-route.js';
import { openMigratedStore } from '../../controller/store/open-store.js';
import type { Store } from '../../controller/store/store.js';
import { post, startTestApi, type TestApi } from '../api/api-harness.js';
import { ALICE, BOB, STORES, T0, sqliteStore, desiredWith, expectedCommitment, samples, startEvidenceApi, startLifecycle, type Lifecycle } from './lifecycle-harness.js';

const SHA = createHash('sha256').update('incidents 2026-03-01').digest('hex');

let l: Lifecycle;
let api: TestApi;
let token: string;
afterEach(async () => {
  await api?.close();
  await l?.close();
});

async function setUp(factory: (typeof STORES)[number][1], calendars: string[] | null = [ALICE, BOB]) {
  l = await startLifecycle(factory, calendars);
  ({ api, token } = await startEvidenceApi(l));
}

/** Posts evidence with lab-01's token, another token, or (null) none. */
const evidence = (body: unknown, t: string | null = token) => post(`${api.url}/v1/evidence`, body, t ?? undefined);

describe.each(STORES)('POST /v1/evidence on %s', (_name, factory) => {
  it('submits the digest to the policy calendars and stores a pending proof whose commitments are what they stamped', async () => {
    await setUp(factory);
    const res = await evidence({ bundleId: 'incidents-2026-03-01', sha256: SHA });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ bundleId: 'incidents-2026-03-01', sha256: SHA, status: 'pending', createdAt: T0.toISOString(), upgradedAt: null });
    expect(res.body.calendars).toEqual({
      [ALICE]: { answer: 'submitted', at: T0.toISOString(), since: T0.toISOString(), attempts: 1 },
      [BOB]: { answer: 'submitted', at: T0.toISOString(), since: T0.toISOString(), attempts: 1 },
    });
    expect(l.alice.requests.map((r) => [r.method, r.path, toHex(r.body)])).toEqual([['POST', '/digest', SHA]]);
    expect(l.bob.requests.map((r) => [r.method, r.path, toHex(r.body)])).toEqual([['POST', '/digest', SHA]]);

    const [row] = await l.h.store.pendingProofs(10);
    expect(row).toMatchObject({ bundleId: 'lab-01/incidents-2026-03-01', bundleSha256: SHA, status: 'pending' });
    const parsed = parseDetached(row!.proof);
    if (!parsed.ok) throw new Error(parsed.error.reason);
    expect(toHex(parsed.value.digest)).toBe(SHA);
    const commitment = expectedCommitment(SHA, T0);
    expect(commitment).toHaveLength(88);
    // One pending attestation per calendar, each at the 44-byte message that calendar stamped — not the bundle hash.
    expect(pendingCommitments(parsed.value.digest, parsed.value.timestamp).map((p) => [p.uri, toHex(p.commitment)])).toEqual([
      [ALICE, commitment],
      [BOB, commitment],
    ]);
    expect(await samples(l.metrics, 'muster_ots_submissions_total')).toEqual({ pending: 1 });
  });

  it('answers 200 with the current status for a bundle already stored, and 409 for the same bundle with another hash', async () => {
    await setUp(factory);
    expect((await evidence({ bundleId: 'b-1', sha256: SHA })).status).toBe(201);
    const [row] = await l.h.store.pendingProofs(1);
    await l.h.store.updateProof(row!.id, { status: 'anchored', upgradedAt: T0 });

    const again = await evidence({ bundleId: 'b-1', sha256: SHA });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ bundleId: 'b-1', status: 'anchored', upgradedAt: T0.toISOString() });

    const other = await evidence({ bundleId: 'b-1', sha256: 'ee'.repeat(32) });
    expect(other.status).toBe(409);
    expect(other.body).toMatchObject({ error: 'Conflict' });
    expect(other.body.message).toContain('another sha256');
    expect((await l.h.store.proofStats(T0)).byStatus).toEqual({ pending: 0, anchored: 1, expired: 0, failed: 0 });
  });

  it('stores the proof as failed when no calendar accepts the digest', async () => {
    await setUp(factory);
    await Promise.all([l.alice.close(), l.bob.close()]);
    const res = await evidence({ bundleId: 'b-1', sha256: SHA });

    expect(res.status).toBe(201);
    expect(res.body.status).toBe('failed');
    const calendars = res.body.calendars as Record<string, { answer: string; message: string }>;
    expect(Object.keys(calendars).sort()).toEqual([ALICE, BOB]);
    expect(Object.values(calendars).map((c) => c.answer)).toEqual(['error', 'error']);
    expect((await l.h.store.proofStats(T0)).byStatus.failed).toBe(1);
    expect(await l.h.store.pendingProofs(10)).toEqual([]);
    expect(await samples(l.metrics, 'muster_ots_submissions_total')).toEqual({ failed: 1 });
  });

  it('stays pending when one calendar of two accepts, with the other one’s failure recorded', async () => {
    await setUp(factory);
    await l.bob.close();
    const res = await evidence({ bundleId: 'b-1', sha256: SHA });
    expect(res.body).toMatchObject({ status: 'pending', calendars: { [ALICE]: { answer: 'submitted' }, [BOB]: { answer: 'error' } } });
    const [row] = await l.h.store.pendingProofs(1);
    const parsed = parseDetached(row!.proof);
    expect(parsed.ok && pendingCommitments(parsed.value.digest, parsed.value.timestamp).map((p) => p.uri)).toEqual([ALICE]);
  });

  it('answers 409 without an OtsPolicy, and asks no calendar', async () => {
    await setUp(factory, null);
    const res = await evidence({ bundleId: 'b-1', sha256: SHA });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: 'Conflict', message: expect.stringContaining('no OtsPolicy') });
    expect(l.alice.requests).toEqual([]);
    expect(await samples(l.metrics, 'muster_ots_submissions_total')).toEqual({ 'no-policy': 1 });
  });
});

describe('POST /v1/evidence refuses', () => {
  it.each([
    { name: 'no token', given: { token: null }, want: { status: 401, error: 'Unauthorized' } },
    { name: 'an unknown token', given: { token: 'mst_not-a-token-of-anyone' }, want: { status: 401, error: 'Unauthorized' } },
  ])('$name', async ({ given, want }) => {
    await setUp(sqliteStore);
    const res = await evidence({ bundleId: 'b-1', sha256: SHA }, given.token);
    expect(res.status).toBe(want.status);
    expect(res.body.error).toBe(want.error);
    expect(l.alice.requests).toEqual([]);
  });

  it.each([
    { name: 'a missing bundleId', given: { sha256: SHA }, want: 'bundleId' },
    { name: 'an empty bundleId', given: { bundleId: '', sha256: SHA }, want: 'bundleId' },
    { name: 'a bundleId of 201 characters', given: { bundleId: 'a'.repeat(201), sha256: SHA }, want: 'bundleId' },
    { name: 'a bundleId with a slash', given: { bundleId: 'a/b', sha256: SHA }, want: 'bundleId' },
    { name: 'a bundleId with a space', given: { bundleId: 'a b', sha256: SHA }, want: 'bundleId' },
    { name: 'a bundleId starting with a dot', given: { bundleId: '..', sha256: SHA }, want: 'bundleId' },
    { name: 'a numeric bundleId', given: { bundleId: 7, sha256: SHA }, want: 'bundleId' },
    { name: 'a missing sha256', given: { bundleId: 'b-1' }, want: 'sha256' },
    { name: 'an uppercase sha256', given: { bundleId: 'b-1', sha256: SHA.toUpperCase() }, want: 'sha256' },
    { name: 'a short sha256', given: { bundleId: 'b-1', sha256: SHA.slice(2) }, want: 'sha256' },
    { name: 'an unknown field', given: { bundleId: 'b-1', sha256: SHA, sha1: 'x' }, want: 'sha1' },
    { name: 'an array', given: [SHA], want: '' },
  ])('$name with 422 naming the field', async ({ given, want }) => {
    await setUp(sqliteStore);
    const res = await evidence(given);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'Unprocessable', field: want });
    expect(l.alice.requests).toEqual([]);
  });

  it('accepts a bundleId of exactly 200 characters of the whole safe set', async () => {
    await setUp(sqliteStore);
    const bundleId = `A9._:-${'z'.repeat(194)}`;
    expect((await evidence({ bundleId, sha256: SHA })).status).toBe(201);
  });

  it('looks tokens up in memory as check-ins do: no query per submission, a rotation refused at once, another process’s token accepted', async () => {
    l = await startLifecycle(sqliteStore);
    token = (await l.h.store.issueToken('lab-01')) as string;
    let lookups = 0;
    const counted = new Proxy(l.h.store, {
      get: (target, key, receiver) =>
        key === 'applianceForToken'
          ? (t: string) => {
              lookups += 1;
              return target.applianceForToken(t);
            }
          : Reflect.get(target, key, receiver),
    }) as Store;
    // The API's token table reads through the counting store: a query per submission would show.
    api = await startTestApi(counted, l.desired, l.clock.now, {
      plugins: [evidencePlugin({ store: counted, policy: () => l.desired.otsPolicy, calendars: l.calendars, now: () => l.clock.now })],
    });
    expect((await evidence({ bundleId: 'b-1', sha256: SHA })).status).toBe(201);
    expect((await evidence({ bundleId: 'b-1', sha256: SHA })).status).toBe(200);

    const rotated = (await l.h.store.issueToken('lab-01', { rotate: true })) as string;
    expect((await evidence({ bundleId: 'b-1', sha256: SHA })).status).toBe(401);
    expect((await evidence({ bundleId: 'b-1', sha256: SHA }, rotated)).status).toBe(200);
    const another = await openMigratedStore(l.h.db);
    const elsewhere = (await another.issueToken('clinic-a-01')) as string;
    await another.close();
    expect((await evidence({ bundleId: 'b-1', sha256: SHA }, elsewhere)).status).toBe(201);
    expect(lookups).toBe(0);
  });

  it('keeps two appliances’ bundles of the same name apart', async () => {
    await setUp(sqliteStore);
    const other = (await l.h.store.issueToken('clinic-a-01')) as string;
    expect((await evidence({ bundleId: 'daily', sha256: SHA })).status).toBe(201);
    const theirs = await evidence({ bundleId: 'daily', sha256: 'ee'.repeat(32) }, other);
    expect(theirs.status).toBe(201);
    expect((await l.h.store.pendingProofs(10)).map((p) => p.bundleId).sort()).toEqual(['clinic-a-01/daily', 'lab-01/daily']);
  });
});

describe('desiredWith', () => {
  it('builds a policy the loader accepts', () => {
    expect(desiredWith([ALICE]).otsPolicy).toMatchObject({ calendars: [ALICE], expireAfterMs: 7 * 86_400_000, upgradeEveryMs: 3_600_000 });
  });
});
