import { pino } from 'pino';
import { expect, it } from 'vitest';
import { loadFleetFiles } from '../../controller/desired/load.js';
import type { StateDocument } from '../../controller/observed/state-schema.js';
import { applyPlanToState } from '../../controller/reconcile/apply.js';
import { HousekeepingSchedule } from '../../controller/runtime/housekeeping.js';
import { checkin, plan, sampleState } from './builders.js';
import type { StoreHarness } from './harness.js';

const NOW = new Date('2026-01-31T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Two policies with their own check-in history retention; `lab-01` is declared but selected by neither. */
const RETENTION_FLEET = `
apiVersion: muster.dev/v1alpha1
kind: Appliance
metadata: {name: short-01, labels: {ring: short}}
---
apiVersion: muster.dev/v1alpha1
kind: Appliance
metadata: {name: long-01, labels: {ring: long}}
---
apiVersion: muster.dev/v1alpha1
kind: Appliance
metadata: {name: lab-01, labels: {ring: lab}}
---
apiVersion: muster.dev/v1alpha1
kind: RetentionPolicy
metadata: {name: short}
spec: {selector: {matchLabels: {ring: short}}, incidents: {retainDays: 30}, checkinHistory: {retainDays: 3}}
---
apiVersion: muster.dev/v1alpha1
kind: RetentionPolicy
metadata: {name: long}
spec: {selector: {matchLabels: {ring: long}}, incidents: {retainDays: 30}, checkinHistory: {retainDays: 90}}
`;

/** Export and import, check-in history pruning, and proofs: the same tests on every store. */
export function stateContract(h: () => StoreHarness): void {
  it('imports a document and exports it with only the check-in times normalized', async () => {
    const { store } = h();
    const doc = sampleState();
    await store.importState(doc);
    const { state } = await store.loadObserved(NOW);
    const normalized: StateDocument = {
      ...doc,
      exportedAt: NOW.toISOString(),
      appliances: doc.appliances.map((a) => ({ ...a, lastCheckinAt: new Date(a.lastCheckinAt).toISOString() })),
    };
    expect(state).toEqual(normalized);
  });

  it('round-trips export → import → export byte for byte, across databases', async () => {
    const { store } = h();
    await store.importState(sampleState());
    await store.recordCheckins([checkin('new-01', '2026-01-31T11:00:00.123Z', { deferUntil: null })]);
    const first = JSON.stringify((await store.loadObserved(NOW)).state);
    const other = (await h().emptyDatabase())();
    await other.migrate();
    await other.importState(JSON.parse(first));
    expect(JSON.stringify((await other.loadObserved(NOW)).state)).toBe(first);
    await store.importState(JSON.parse(first));
    expect(JSON.stringify((await store.loadObserved(NOW)).state)).toBe(first);
  });

  it('reads a fleet larger than one fetch of its rows whole and in order, its assignments too', async () => {
    const { store } = h();
    const base = sampleState();
    // More rows than the stores read at a time (2,000 on PostgreSQL), not a multiple of it.
    const ids = Array.from({ length: 4_501 }, (_, i) => `fleet-${String(i).padStart(5, '0')}`);
    const doc: StateDocument = {
      ...base,
      appliances: ids.map((id, i) => ({ ...(base.appliances[i % 2] as StateDocument['appliances'][number]), id })),
      rollouts: base.rollouts.map((r) => ({ ...r, assignments: [...ids].reverse().map((appliance) => ({ appliance, release: r.name, at: '2026-01-12T00:00:00Z' })) })),
    };
    await store.importState(doc);
    const { state } = await store.loadObserved(NOW);
    expect(state.appliances.map((a) => a.id)).toEqual(ids);
    expect(state.appliances[4_500]).toEqual({ ...doc.appliances[4_500], lastCheckinAt: new Date(doc.appliances[4_500]?.lastCheckinAt as string).toISOString() });
    expect(state.rollouts.map((r) => r.assignments.length)).toEqual([4_501, 4_501]);
    expect(state.rollouts[1]?.assignments.map((a) => a.appliance)).toEqual([...ids].reverse());
  });

  it('import replaces appliances and rollouts, bumps the version, and leaves proofs alone', async () => {
    const { store } = h();
    await store.recordCheckins([checkin('gone-01', '2026-01-31T11:00:00Z')]);
    await h().seedProofs(3, 'anchored', new Date(NOW.getTime() - HOUR), 'keep');
    const { version } = await store.importState(sampleState());
    expect(version).toBe(1);
    const { state } = await store.loadObserved(NOW);
    expect(state.appliances.map((a) => a.id)).toEqual(['clinic-a-01', 'vm-01']);
    expect(state.proofs.anchored).toBe(3);
    expect(await store.stateVersion()).toBe(1);
  });

  it('prunes check-in history older than the cutoff in bounded batches', async () => {
    const { store } = h();
    // Each check-in reports something new, so each is a history row.
    const at = (ms: number, i: number) => checkin(`a-${i % 100}`, new Date(ms + i).toISOString(), { imageVersion: String(ms + i) });
    const old = Array.from({ length: 2500 }, (_, i) => at(NOW.getTime() - 40 * 24 * HOUR, i));
    const recent = Array.from({ length: 300 }, (_, i) => at(NOW.getTime() - HOUR, i));
    for (let i = 0; i < old.length; i += 1000) await store.recordCheckins(old.slice(i, i + 1000));
    await store.recordCheckins(recent);
    const batches: number[] = [];
    const pruned = await store.pruneCheckinHistory(new Date(NOW.getTime() - 30 * 24 * HOUR), 1000, (n) => batches.push(n));
    expect(pruned).toBe(2500);
    expect(batches).toEqual([1000, 1000, 500]);
    const [left] = await h().sql('SELECT count(*) AS n FROM checkin_history');
    expect(Number(left?.n)).toBe(300);
    expect((await store.getAppliance('a-7'))?.lastCheckinAt).toBe(new Date(NOW.getTime() - HOUR + 207).toISOString());
  });

  it('prunes only the appliances a scope lists, or all but them', async () => {
    const { store } = h();
    const old = (id: string) => checkin(id, new Date(NOW.getTime() - 10 * DAY).toISOString());
    await store.recordCheckins([old('a-1'), old('a-2'), old('b-1')]);
    expect(await store.pruneCheckinHistory(new Date(NOW.getTime() - DAY), 10, undefined, { only: ['a-1'] })).toBe(1);
    expect(await store.pruneCheckinHistory(new Date(NOW.getTime() - DAY), 10, undefined, { except: ['a-2'] })).toBe(1);
    expect((await store.listCheckins('a-2', 10)).length).toBe(1);
    expect((await store.listCheckins('b-1', 10)).length + (await store.listCheckins('a-1', 10)).length).toBe(0);
  });

  it("keeps each appliance's check-in history for its own policy's checkinHistory.retainDays", async () => {
    const { store } = h();
    const loaded = loadFleetFiles([{ path: 'fleet.yaml', content: RETENTION_FLEET }], 'r1');
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.errors));
    const ages = [1, 5, 40, 100];
    const ids = ['short-01', 'long-01', 'lab-01', 'undeclared-01'];
    const reported = (id: string, days: number) => checkin(id, new Date(NOW.getTime() - days * DAY).toISOString(), { imageVersion: String(days) });
    await store.recordCheckins(ids.flatMap((id) => [...ages].reverse().map((days) => reported(id, days))));
    await new HousekeepingSchedule(store, pino({ level: 'silent' })).afterPass(loaded.state, NOW);
    const kept = async (id: string) => (await store.listCheckins(id, 10)).map((c) => Math.round((NOW.getTime() - Date.parse(c.at)) / DAY)).sort((a, b) => a - b);
    expect({
      short: await kept('short-01'),
      long: await kept('long-01'),
      lab: await kept('lab-01'),
      undeclared: await kept('undeclared-01'),
    }).toEqual({ short: [1], long: [1, 5, 40], lab: [1, 5], undeclared: [1, 5] });
  });

  it('applies a plan with ExpireProofs as applyPlanToState does, its cutoff in the same transaction', async () => {
    const { store } = h();
    await h().seedProofs(40, 'pending', new Date('2026-01-20T10:00:00Z'), 'a');
    await h().seedProofs(5, 'pending', new Date('2026-01-30T10:00:30Z'), 'b');
    const before = await store.loadObserved(NOW);
    const olderThan = '2026-01-24T12:00:00.000Z';
    const p = plan(NOW.toISOString(), [{ type: 'ExpireProofs', count: 40, olderThan }]);
    expect((await store.applyPlan(p, { revision: 'r', expectedVersion: before.version })).touched).toMatchObject({ events: 1, proofsExpired: 40 });
    expect((await store.loadObserved(NOW)).state).toEqual(applyPlanToState(before.state, p));
    // What the controller calls next finds the cutoff recorded: it only starts the rewrite of the rows.
    expect(await store.expireProofs(new Date(olderThan))).toBe(0);
    expect((await store.loadObserved(NOW)).state).toEqual(applyPlanToState(before.state, p));
  });

  it('counts pending proofs by minute of creation and calendars answering "Not found"', async () => {
    const { store } = h();
    const cal = 'https://a.pool.example';
    const state = (answer: 'notFound' | 'pending', since: string) => ({ [cal]: { answer, at: since, since } });
    const insert = (bundleId: string, createdAt: string, status: 'pending' | 'expired' | 'failed', calendars = {}) =>
      store.insertProof({ bundleId, bundleSha256: 'ab'.repeat(32), status, createdAt: new Date(createdAt), proof: Buffer.from([1, 2, 3]), calendars });
    await insert('p1', '2026-01-30T10:00:10Z', 'pending', state('notFound', '2026-01-31T01:00:00.000Z'));
    await insert('p2', '2026-01-30T10:00:50Z', 'pending', state('pending', '2026-01-31T00:00:00.000Z'));
    await insert('p3', '2026-01-30T10:01:00Z', 'expired', state('notFound', '2026-01-31T00:30:00.000Z'));
    await insert('p4', '2026-01-30T11:00:00Z', 'failed');
    const { state: observed } = await store.loadObserved(NOW);
    expect(observed.proofs).toEqual({
      pending: [{ createdAt: '2026-01-30T10:00:00.000Z', count: 2 }],
      anchored: 0,
      expired: 1,
      failed: 1,
      notFound: [{ calendar: cal, count: 2, since: '2026-01-31T00:30:00.000Z' }],
    });
  });
}
