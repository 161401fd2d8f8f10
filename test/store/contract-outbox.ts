import { expect, it } from 'vitest';
import type { NotifyContext } from '../../controller/notify/events.js';
import { SQLITE_MIGRATIONS } from '../../controller/store/sqlite-migrations.js';
import { latestVersion } from '../../controller/store/migration.js';
import type { Finding } from '../../controller/reconcile/plan.js';
import { notifier } from '../notify/builders.js';
import { plan, rolloutStatus } from './builders.js';
import type { StoreHarness } from './harness.js';

const T0 = '2026-12-04T10:00:00.000Z';
const T1 = '2026-12-04T10:01:00.000Z';
const T2 = '2026-12-04T10:02:00.000Z';
const at = (iso: string, plusMs = 0) => new Date(Date.parse(iso) + plusMs);
const stuck: Finding = { type: 'StuckAppliance', severity: 'error', appliance: 'lab-01', rollout: 'v51', message: 'lab-01 stuck' };
const notify: NotifyContext = { notifiers: [notifier('ops'), notifier('chat', { on: { findings: null, severities: null, rollouts: ['Stalled'] } })], publicUrl: null };

/** The notification outbox: written with the plan, claimed with a lease, outcomes recorded, stats. */
export function outboxContract(h: () => StoreHarness): void {
  it('a plan writes one row per event and notifier in its own transaction; a stale plan writes none', async () => {
    const { store } = h();
    const stalled = plan(T0, [{ type: 'SetPhase', rollout: 'v51', phase: 'Stalled', from: null }], { findings: [stuck], rollouts: [rolloutStatus('v51', { message: '1 stuck' })] });
    const result = await store.applyPlan(stalled, { revision: 'r', expectedVersion: 0, notify });
    expect(result.touched.notifications).toBe(4);
    expect(await store.applyPlan(stalled, { revision: 'r', expectedVersion: 0, notify })).toMatchObject({ applied: false });
    const rows = await store.outbox.list({ limit: 10 });
    expect(rows.map((r) => `${r.notifier} ${r.kind} ${r.event.type}`).sort()).toEqual([
      'chat finding.opened StuckAppliance',
      'chat rollout.phase RolloutPhase',
      'ops finding.opened StuckAppliance',
      'ops rollout.phase RolloutPhase',
    ]);
    expect(rows.every((r) => r.createdAt === T0 && r.attempts === 0 && r.deliveredAt === null)).toBe(true);
    expect(await store.outbox.stats()).toMatchObject({ pending: 4, oldestPendingAt: T0, delivered: 0, gaveUp: 0, undeliverable: [] });
  });

  it('a resolved finding is told with its last message; an unchanged finding is not told again', async () => {
    const { store } = h();
    await store.applyPlan(plan(T0, [], { findings: [stuck] }), { revision: 'r', expectedVersion: 0, notify });
    await store.applyPlan(plan(T1, [], { findings: [stuck] }), { revision: 'r', expectedVersion: 1, notify });
    await store.applyPlan(plan(T2, [], { findings: [] }), { revision: 'r', expectedVersion: 2, notify });
    const rows = await store.outbox.list({ limit: 10 });
    expect(rows.filter((r) => r.notifier === 'ops').map((r) => [r.kind, r.createdAt, r.event.message, r.event.subject])).toEqual([
      ['finding.resolved', T2, 'lab-01 stuck', { appliance: 'lab-01', rollout: 'v51' }],
      ['finding.opened', T0, 'lab-01 stuck', { appliance: 'lab-01', rollout: 'v51' }],
    ]);
  });

  it('without notifiers nothing is written', async () => {
    const { store } = h();
    const result = await store.applyPlan(plan(T0, [], { findings: [stuck] }), { revision: 'r', expectedVersion: 0, notify: { notifiers: [], publicUrl: null } });
    expect(result.touched.notifications).toBeUndefined();
    expect(await store.outbox.list({ limit: 10 })).toEqual([]);
  });

  it('a claim is a lease: a second claimer gets nothing until it expires, then the row again', async () => {
    const { store } = h();
    await store.applyPlan(plan(T0, [], { findings: [stuck] }), { revision: 'r', expectedVersion: 0, notify: { notifiers: [notifier('ops')], publicUrl: null } });
    const [claimed] = await store.outbox.claimDue(at(T0), 10, 60_000);
    expect(claimed).toMatchObject({ notifier: 'ops', attempts: 1, nextAttemptAt: at(T0, 60_000).toISOString() });
    const other = await h().openAnother();
    expect(await other.outbox.claimDue(at(T0, 59_999), 10, 60_000)).toEqual([]);
    expect(await other.outbox.claimDue(at(T0, 60_000), 10, 60_000)).toMatchObject([{ id: claimed?.id, attempts: 2 }]);
  });

  it('outcomes: a retry waits until its time, a delivery is final, and a later outcome changes nothing', async () => {
    const { store } = h();
    await store.applyPlan(plan(T0, [], { findings: [stuck] }), { revision: 'r', expectedVersion: 0, notify: { notifiers: [notifier('ops')], publicUrl: null } });
    const [row] = await store.outbox.claimDue(at(T0), 10, 60_000);
    const key = { notifier: 'ops', id: row?.id as string };
    await store.outbox.record({ ...key, at: at(T0, 1000), result: 'retry', nextAttemptAt: at(T0, 10_000), error: 'HTTP 500' });
    expect(await store.outbox.claimDue(at(T0, 9_999), 10, 60_000)).toEqual([]);
    expect(await store.outbox.claimDue(at(T0, 10_000), 10, 60_000)).toHaveLength(1);
    await store.outbox.record({ ...key, at: at(T0, 11_000), result: 'delivered' });
    await store.outbox.record({ ...key, at: at(T0, 12_000), result: 'gaveUp', error: 'late' });
    const [after] = await store.outbox.list({ limit: 1 });
    expect(after).toMatchObject({ deliveredAt: at(T0, 11_000).toISOString(), gaveUpAt: null, lastError: null, attempts: 2 });
    expect(await store.outbox.list({ limit: 10, pendingOnly: true })).toEqual([]);
    expect(await store.outbox.stats()).toMatchObject({ pending: 0, oldestPendingAt: null, delivered: 1, gaveUp: 0 });
  });

  it('a notifier that gave up is undeliverable until a later event to it is delivered', async () => {
    const { store } = h();
    const ctx = { notifiers: [notifier('ops')], publicUrl: null };
    await store.applyPlan(plan(T0, [], { findings: [stuck] }), { revision: 'r', expectedVersion: 0, notify: ctx });
    const [first] = await store.outbox.claimDue(at(T0), 10, 60_000);
    await store.outbox.record({ notifier: 'ops', id: first?.id as string, at: at(T1), result: 'gaveUp', error: 'ECONNREFUSED' });
    expect((await store.outbox.stats()).undeliverable).toEqual([{ notifier: 'ops', count: 1, since: T1, lastError: 'ECONNREFUSED' }]);
    await store.applyPlan(plan(T2, [], { findings: [] }), { revision: 'r', expectedVersion: 1, notify: ctx });
    const [second] = await store.outbox.claimDue(at(T2), 10, 60_000);
    await store.outbox.record({ notifier: 'ops', id: second?.id as string, at: at(T2, 1), result: 'delivered' });
    expect(await store.outbox.stats()).toMatchObject({ delivered: 1, gaveUp: 1, undeliverable: [] });
  });

  it('quiet period: a resolution is held, and a reopening within it cancels the resolution and is not told', async () => {
    const { store } = h();
    const ctx = { notifiers: [notifier('ops', { quietPeriodMs: 600_000 })], publicUrl: null };
    await store.applyPlan(plan(T0, [], { findings: [stuck] }), { revision: 'r', expectedVersion: 0, notify: ctx });
    await store.applyPlan(plan(T1, [], { findings: [] }), { revision: 'r', expectedVersion: 1, notify: ctx });
    expect((await store.outbox.list({ limit: 10 })).map((r) => [r.kind, r.nextAttemptAt])).toEqual([
      ['finding.resolved', at(T1, 600_000).toISOString()],
      ['finding.opened', T0],
    ]);
    await store.applyPlan(plan(T2, [], { findings: [stuck] }), { revision: 'r', expectedVersion: 2, notify: ctx });
    expect((await store.outbox.list({ limit: 10 })).map((r) => r.kind)).toEqual(['finding.opened']);
  });

  it('pruning forgets old finished rows but keeps pending ones and each notifier\'s newest delivery and give-up', async () => {
    const { store } = h();
    const ctx = { notifiers: [notifier('ops')], publicUrl: null };
    const findings = (n: number): Finding[] => Array.from({ length: n }, (_, i) => ({ ...stuck, appliance: `a${i}` }));
    await store.applyPlan(plan(T0, [], { findings: findings(4) }), { revision: 'r', expectedVersion: 0, notify: ctx });
    const rows = await store.outbox.claimDue(at(T0), 10, 60_000);
    const outcome = (i: number, result: 'delivered' | 'gaveUp', ms: number) =>
      store.outbox.record({ notifier: 'ops', id: rows[i]?.id as string, at: at(T0, ms), ...(result === 'gaveUp' ? { result, error: 'x' } : { result }) });
    await outcome(0, 'delivered', 1);
    await outcome(1, 'delivered', 2);
    await outcome(2, 'gaveUp', 3);
    expect(await store.outbox.prune(at(T0, 1_000))).toBe(1);
    const left = await store.outbox.list({ limit: 10 });
    expect(left.map((r) => r.id).sort()).toEqual([rows[1]?.id, rows[2]?.id, rows[3]?.id].sort());
    expect((await store.outbox.stats()).pending).toBe(1);
  });

  it('a database made before the outbox migrates and then writes notifications', async () => {
    const before = (SQLITE_MIGRATIONS.find((m) => m.name === 'notification outbox')?.version ?? 0) - 1;
    const old = await h().databaseAt(before);
    const store = old.open();
    expect((await store.migrate()).version).toBe(latestVersion(SQLITE_MIGRATIONS));
    await store.applyPlan(plan(T0, [], { findings: [stuck] }), { revision: 'r', expectedVersion: 0, notify: { notifiers: [notifier('ops')], publicUrl: null } });
    expect(await store.outbox.stats()).toMatchObject({ pending: 1 });
  });
}
