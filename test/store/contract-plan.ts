import fc from 'fast-check';
import { expect, it } from 'vitest';
import { ROLLOUT_PHASES } from '../../controller/observed/state-schema.js';
import { applyPlanToState } from '../../controller/reconcile/apply.js';
import type { Action, Plan } from '../../controller/reconcile/plan.js';
import { plan, rolloutStatus, sampleState } from './builders.js';
import type { StoreHarness } from './harness.js';

const T0 = '2026-01-31T12:00:00Z';
const T1 = '2026-01-31T12:05:00Z';

/** applyPlan per action type, the version guard, and agreement with the pure applyPlanToState. */
export function planContract(h: () => StoreHarness): void {
  it('SetPhase creates an absent rollout at stage 1 started at the plan time; AssignRelease records assignments at it', async () => {
    const { store } = h();
    const result = await store.applyPlan(
      plan(T0, [
        { type: 'SetPhase', rollout: 'v51', phase: 'Progressing', from: null },
        { type: 'AssignRelease', rollout: 'v51', appliance: 'b', release: 'v1.0.51' },
        { type: 'AssignRelease', rollout: 'v51', appliance: 'a', release: 'v1.0.51' },
      ]),
      { revision: 'rev-1', expectedVersion: 0 },
    );
    expect(result).toEqual({
      applied: true,
      version: 1,
      touched: { rollouts: ['v51'], appliances: ['a', 'b'], events: 3, findingsOpened: 0, findingsResolved: 0 },
    });
    const { state, version } = await store.loadObserved(new Date(T1));
    expect(version).toBe(1);
    expect(state.rollouts).toEqual([
      {
        name: 'v51',
        stage: 1,
        stageStartedAt: T0,
        phase: 'Progressing',
        assignments: [
          { appliance: 'b', release: 'v1.0.51', at: T0 },
          { appliance: 'a', release: 'v1.0.51', at: T0 },
        ],
      },
    ]);
  });

  it('AdvanceStage sets stage and start; WithdrawRelease removes the assignment; both are logged with the revision', async () => {
    const { store } = h();
    await store.applyPlan(
      plan(T0, [
        { type: 'SetPhase', rollout: 'v51', phase: 'Progressing', from: null },
        { type: 'AssignRelease', rollout: 'v51', appliance: 'a', release: 'v1.0.51' },
        { type: 'AssignRelease', rollout: 'v51', appliance: 'b', release: 'v1.0.51' },
      ]),
      { revision: 'rev-1', expectedVersion: 0 },
    );
    const advance: Action = { type: 'AdvanceStage', rollout: 'v51', from: 1, to: 3, startedAt: '2026-01-31T12:03:00Z' };
    const withdraw: Action = { type: 'WithdrawRelease', rollout: 'v51', appliance: 'a' };
    await store.applyPlan(plan(T1, [advance, withdraw]), { revision: 'rev-2', expectedVersion: 1 });
    const [rollout] = (await store.loadObserved(new Date(T1))).state.rollouts;
    expect(rollout).toMatchObject({ stage: 3, stageStartedAt: '2026-01-31T12:03:00Z', assignments: [{ appliance: 'b', release: 'v1.0.51', at: T0 }] });
    const events = await store.listEvents({ limit: 10 });
    expect(events.map((e) => [e.type, e.revision, e.at, e.rollout, e.appliance])).toEqual([
      ['WithdrawRelease', 'rev-2', T1, 'v51', 'a'],
      ['AdvanceStage', 'rev-2', T1, 'v51', null],
      ['AssignRelease', 'rev-1', T0, 'v51', 'b'],
      ['AssignRelease', 'rev-1', T0, 'v51', 'a'],
      ['SetPhase', 'rev-1', T0, 'v51', null],
    ]);
    expect(events[1]?.detail).toEqual(advance);
    expect((await store.listEvents({ appliance: 'a', limit: 10 })).map((e) => e.type)).toEqual(['WithdrawRelease', 'AssignRelease']);
    expect((await store.listEvents({ rollout: 'v51', appliance: 'b', limit: 10 })).map((e) => e.type)).toEqual(['AssignRelease']);
    expect(await store.listEvents({ rollout: 'other', limit: 10 })).toEqual([]);
    expect(await store.listEvents({ limit: 2 })).toHaveLength(2);
  });

  it('SetPhase latches ({phase, specHash}), keeps the latch when absent, and clears it with null', async () => {
    const { store } = h();
    const latched = async () => (await store.loadObserved(new Date(T1))).state.rollouts[0]?.latch;
    await store.applyPlan(plan(T0, [{ type: 'SetPhase', rollout: 'v51', phase: 'Aborted', from: null, latch: { phase: 'Aborted', specHash: 'h1' } }]), {
      revision: 'r',
      expectedVersion: 0,
    });
    expect(await latched()).toEqual({ phase: 'Aborted', specHash: 'h1', at: T0 });
    await store.applyPlan(plan(T1, [{ type: 'SetPhase', rollout: 'v51', phase: 'Paused', from: 'Aborted' }]), { revision: 'r', expectedVersion: 1 });
    expect(await latched()).toEqual({ phase: 'Aborted', specHash: 'h1', at: T0 });
    await store.applyPlan(plan(T1, [{ type: 'SetPhase', rollout: 'v51', phase: 'Progressing', from: 'Paused', latch: null }]), {
      revision: 'r',
      expectedVersion: 2,
    });
    expect(await latched()).toBeNull();
  });

  it('a stale version applies nothing at all', async () => {
    const { store } = h();
    await store.applyPlan(plan(T0, [{ type: 'SetPhase', rollout: 'v51', phase: 'Progressing', from: null }]), { revision: 'r', expectedVersion: 0 });
    const before = await store.loadObserved(new Date(T1));
    const stale = plan(T1, [{ type: 'AssignRelease', rollout: 'v51', appliance: 'a', release: 'x' }], {
      rollouts: [rolloutStatus('v51', { revision: 'stale' })],
      findings: [{ type: 'NeverCheckedIn', severity: 'warning', appliance: 'a', message: 'never' }],
    });
    const result = await store.applyPlan(stale, { revision: 'stale', expectedVersion: 0 });
    expect(result).toEqual({ applied: false, version: 1, touched: { rollouts: [], appliances: [], events: 0, findingsOpened: 0, findingsResolved: 0 } });
    expect(await store.loadObserved(new Date(T1))).toEqual(before);
    expect(await store.listEvents({ limit: 10 })).toHaveLength(1);
    expect(await store.listFindings()).toEqual([]);
    expect((await store.latestPlan())?.version).toBe(1);
  });

  it('of two appliers holding the same version, exactly one applies', async () => {
    const other = await h().openAnother();
    const attempt = (store: typeof other, rollout: string) =>
      store.applyPlan(plan(T0, [{ type: 'SetPhase', rollout, phase: 'Progressing', from: null }]), { revision: 'r', expectedVersion: 0 });
    const results = await Promise.all([attempt(h().store, 'one'), attempt(other, 'two')]);
    expect(results.map((r) => r.applied).sort()).toEqual([false, true]);
    expect(results.map((r) => r.version)).toEqual([1, 1]);
    expect((await h().store.loadObserved(new Date(T1))).state.rollouts).toHaveLength(1);
  });

  it('reads a saved plan stored as JSON text by an earlier version, until a pass saves it compressed', async () => {
    const { store } = h();
    const earlier = plan(T0, [], { rollouts: [rolloutStatus('v51', { revision: 'abc123' })] });
    const text = JSON.stringify(earlier).replaceAll("'", "''");
    await h().sql(`INSERT INTO latest_plan (id, plan, revision, version, saved_at) VALUES (1, '${text}', 'abc123', 0, '${T0}')`);
    expect(await store.latestPlan()).toEqual({ plan: earlier, revision: 'abc123', version: 0, savedAt: T0 });
    const later = plan(T1, [{ type: 'SetPhase', rollout: 'v51', phase: 'Stalled', from: null }]);
    await store.applyPlan(later, { revision: 'abc123', expectedVersion: 0 });
    expect(await store.latestPlan()).toEqual({ plan: later, revision: 'abc123', version: 1, savedAt: T1 });
  });

  it('saves rollout conditions and revisions, and the plan itself', async () => {
    const { store } = h();
    const condition = { type: 'Ready', status: 'False' as const, reason: 'Stuck', message: '3 stuck', lastTransitionTime: T0 };
    const applied = plan(T0, [{ type: 'SetPhase', rollout: 'v51', phase: 'Stalled', from: null }], {
      rollouts: [rolloutStatus('v51', { conditions: [condition], revision: 'abc123' }), rolloutStatus('absent')],
    });
    expect(await store.latestPlan()).toBeNull();
    await store.applyPlan(applied, { revision: 'abc123', expectedVersion: 0 });
    const [rollout] = (await store.loadObserved(new Date(T1))).state.rollouts;
    expect(rollout).toMatchObject({ conditions: [condition], revision: 'abc123' });
    expect(await store.latestPlan()).toEqual({ plan: applied, revision: 'abc123', version: 1, savedAt: T0 });
  });

  it('keeps a finding first seen, updates its last seen, resolves it when absent, reopens it afresh', async () => {
    const { store } = h();
    const stuck = { type: 'StuckAppliance' as const, severity: 'error' as const, appliance: 'a', rollout: 'v51', message: 'stuck 1h' };
    const offline = { type: 'ApplianceOffline' as const, severity: 'warning' as const, appliance: 'b', since: T0, message: 'offline' };
    const apply = (now: string, findings: Plan['findings'], version: number) => store.applyPlan(plan(now, [], { findings }), { revision: 'r', expectedVersion: version });
    expect((await apply(T0, [stuck, offline], 0)).touched).toMatchObject({ findingsOpened: 2, findingsResolved: 0 });
    expect((await apply(T1, [{ ...stuck, message: 'stuck 2h' }], 1)).touched).toMatchObject({ findingsOpened: 0, findingsResolved: 1 });
    expect(await store.listFindings()).toEqual([{ ...stuck, message: 'stuck 2h', key: 'StuckAppliance/a/v51/', firstSeen: T0, lastSeen: T1, resolvedAt: null }]);
    expect(await store.listFindings({ includeResolved: true })).toEqual([
      { ...stuck, message: 'stuck 2h', key: 'StuckAppliance/a/v51/', firstSeen: T0, lastSeen: T1, resolvedAt: null },
      { ...offline, key: 'ApplianceOffline/b//', firstSeen: T0, lastSeen: T0, resolvedAt: T1 },
    ]);
    const T2 = '2026-01-31T12:10:00Z';
    expect((await apply(T2, [offline], 2)).touched).toMatchObject({ findingsOpened: 1, findingsResolved: 1 });
    expect(await store.listFindings()).toEqual([{ ...offline, key: 'ApplianceOffline/b//', firstSeen: T2, lastSeen: T2, resolvedAt: null }]);
  });

  it('keeps one OtsCalendarNotFound per calendar of a policy, each with its calendar', async () => {
    const { store } = h();
    const notFound = (calendar: string) => ({ type: 'OtsCalendarNotFound' as const, severity: 'warning' as const, policy: 'ots', calendar, message: `${calendar}: not found` });
    const [a, b] = [notFound('https://a.pool.example'), notFound('https://b.pool.example')];
    const apply = (now: string, findings: Plan['findings'], version: number) => store.applyPlan(plan(now, [], { findings }), { revision: 'r', expectedVersion: version });
    expect((await apply(T0, [a, b], 0)).touched).toMatchObject({ findingsOpened: 2, findingsResolved: 0 });
    expect(await store.listFindings()).toEqual([
      { ...a, key: 'OtsCalendarNotFound///ots/https://a.pool.example', firstSeen: T0, lastSeen: T0, resolvedAt: null },
      { ...b, key: 'OtsCalendarNotFound///ots/https://b.pool.example', firstSeen: T0, lastSeen: T0, resolvedAt: null },
    ]);
    expect((await apply(T1, [b], 1)).touched).toMatchObject({ findingsOpened: 0, findingsResolved: 1 });
    expect(await store.listFindings()).toEqual([{ ...b, key: 'OtsCalendarNotFound///ots/https://b.pool.example', firstSeen: T0, lastSeen: T1, resolvedAt: null }]);
  });

  it('rewrites an unchanged open finding only when its last seen is a refresh period old, first seen kept', async () => {
    const { store } = h();
    const stuck = { type: 'StuckAppliance' as const, severity: 'error' as const, appliance: 'a', rollout: 'v51', message: 'stuck 1h' };
    const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
    let version = 0;
    const seen = async (now: string) => {
      version = (await store.applyPlan(plan(now, [], { findings: [stuck] }), { revision: 'r', expectedVersion: version })).version;
      const [found] = await store.listFindings();
      return [found?.firstSeen, found?.lastSeen];
    };
    expect(await seen(T0)).toEqual([T0, T0]);
    expect(await seen(at(1))).toEqual([T0, T0]);
    expect(await seen(at(4))).toEqual([T0, T0]);
    expect(await seen(at(5))).toEqual([T0, at(5)]);
    expect(await seen(at(6))).toEqual([T0, at(5)]);
  });

  it('a refreshing pass touches the unchanged findings only: not the resolved ones, new and changed ones at now', async () => {
    const { store } = h();
    const finding = (appliance: string, message = 'stuck 1h') => ({ type: 'StuckAppliance' as const, severity: 'error' as const, appliance, rollout: 'v51', message });
    const at = (minutes: number) => new Date(Date.parse(T0) + minutes * 60_000).toISOString();
    const [soon, later] = [at(1), at(6)];
    const first = await store.applyPlan(plan(T0, [], { findings: [finding('gone'), finding('same'), finding('changed'), finding('resolved')] }), { revision: 'r', expectedVersion: 0 });
    const second = await store.applyPlan(plan(soon, [], { findings: [finding('same'), finding('changed'), finding('resolved')] }), { revision: 'r', expectedVersion: first.version });
    await store.applyPlan(plan(later, [], { findings: [finding('same'), finding('changed', 'stuck 2h'), finding('new')] }), { revision: 'r', expectedVersion: second.version });
    const rows = Object.fromEntries((await store.listFindings({ includeResolved: true })).map((f) => [f.appliance, [f.firstSeen, f.lastSeen, f.resolvedAt]]));
    expect(rows).toEqual({
      gone: [T0, T0, soon],
      same: [T0, later, null],
      changed: [T0, later, null],
      resolved: [T0, T0, later],
      new: [later, later, null],
    });
  });

  it('reads the findings afresh when another store applied a plan or imported a state in between', async () => {
    const { store } = h();
    const other = await h().openAnother();
    const stuck = { type: 'StuckAppliance' as const, severity: 'error' as const, appliance: 'a', rollout: 'v51', message: 'stuck 1h' };
    const apply = async (by: typeof store, now: string, findings: Plan['findings']) =>
      (await by.applyPlan(plan(now, [], { findings }), { revision: 'r', expectedVersion: await by.stateVersion() })).touched;
    expect(await apply(store, T0, [stuck])).toMatchObject({ findingsOpened: 1, findingsResolved: 0 });
    expect(await apply(other, T0, [])).toMatchObject({ findingsOpened: 0, findingsResolved: 1 });
    expect(await apply(store, T1, [stuck])).toMatchObject({ findingsOpened: 1, findingsResolved: 0 });
    expect(await store.listFindings()).toEqual([{ ...stuck, key: 'StuckAppliance/a/v51/', firstSeen: T1, lastSeen: T1, resolvedAt: null }]);
    await other.importState(sampleState());
    expect(await apply(store, T1, [])).toMatchObject({ findingsOpened: 0, findingsResolved: 1 });
    expect(await store.listFindings()).toEqual([]);
  });

  it('compares more open findings than one fetch of their rows when it reads them afresh', async () => {
    const { store } = h();
    const other = await h().openAnother();
    const many: Plan['findings'] = Array.from({ length: 4_501 }, (_, i) => ({ type: 'ApplianceOffline', severity: 'warning', appliance: `a-${i}`, message: `offline ${i}` }));
    const apply = async (by: typeof store, findings: Plan['findings']) =>
      (await by.applyPlan(plan(T0, [], { findings }), { revision: 'r', expectedVersion: await by.stateVersion() })).touched;
    expect(await apply(store, many)).toMatchObject({ findingsOpened: 4_501, findingsResolved: 0 });
    // The other store remembers none: every open row is read and compared, the last ones too.
    const changed = [...many.slice(1, -1), { ...(many[4_500] as Plan['findings'][number]), message: 'offline again' }];
    expect(await apply(other, changed)).toMatchObject({ findingsOpened: 0, findingsResolved: 1 });
    const listed = await store.listFindings();
    expect(listed).toHaveLength(4_500);
    expect(listed.find((f) => f.appliance === 'a-4500')?.message).toBe('offline again');
  });

  it('saves the plan when it acts or the revision changes, and otherwise once it is 30 s old', async () => {
    const { store } = h();
    const at = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();
    let version = 0;
    const apply = async (seconds: number, actions: Action[] = [], revision = 'r1') => {
      version = (await store.applyPlan(plan(at(seconds), actions), { revision, expectedVersion: version })).version;
      return (await store.latestPlan())?.savedAt;
    };
    expect(await apply(0)).toBe(at(0));
    expect(await apply(10)).toBe(at(0));
    expect(await apply(20, [{ type: 'SetPhase', rollout: 'v51', phase: 'Progressing', from: null }])).toBe(at(20));
    expect(await apply(40)).toBe(at(20));
    expect(await apply(50)).toBe(at(50));
    expect(await apply(55, [], 'r2')).toBe(at(55));
    expect((await store.latestPlan())?.revision).toBe('r2');
  });

  it('opens a database of the previous version: its rollouts load without release, version, rollback or previous, and then record them', async () => {
    const old = await h().databaseAt(3);
    await old.sql("INSERT INTO rollouts (name, stage, stage_started_at, phase) VALUES ('v49', 2, '2026-01-20T00:00:00Z', 'Progressing')");
    await old.sql("INSERT INTO assignments (rollout, appliance, release, at) VALUES ('v49', 'a', 'v1.0.49', '2026-01-20T00:00:00Z')");
    const store = old.open();
    await store.migrate();
    const before = await store.loadObserved(new Date(T0));
    expect(before.state.rollouts).toEqual([
      { name: 'v49', stage: 2, stageStartedAt: '2026-01-20T00:00:00Z', phase: 'Progressing', assignments: [{ appliance: 'a', release: 'v1.0.49', at: '2026-01-20T00:00:00Z' }] },
    ]);
    const p = plan(T1, [{ type: 'AssignRelease', rollout: 'v49', appliance: 'b', release: 'v1.0.49', previous: { rollout: 'v45', release: 'v1.0.45' } }], {
      rollouts: [rolloutStatus('v49', { release: 'v1.0.49', version: 'v1.0.49', rollback: true })],
    });
    await store.applyPlan(p, { revision: 'r', expectedVersion: before.version });
    expect((await store.loadObserved(new Date(T0))).state).toEqual(applyPlanToState(before.state, p));
  });

  it('agrees with applyPlanToState on any sequence of plans', async () => {
    const { store } = h();
    await fc.assert(
      fc.asyncProperty(fc.array(planArbitrary, { minLength: 1, maxLength: 3 }), async (plans) => {
        await store.importState(sampleState());
        const start = await store.loadObserved(new Date(T0));
        let expected = start.state;
        let version = start.version;
        for (const p of plans) {
          expected = applyPlanToState(expected, p);
          version = (await store.applyPlan(p, { revision: 'r', expectedVersion: version })).version;
        }
        expect((await store.loadObserved(new Date(T0))).state).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  });
}

const rolloutName = fc.constantFrom('v1.0.45', 'v1.0.49', 'v2');
const applianceId = fc.constantFrom('clinic-a-01', 'vm-01', 'c', 'd');
const time = fc.constantFrom('2026-02-01T00:00:00Z', '2026-02-01T00:00:00.000Z', '2026-02-02T10:30:00+02:00');

const actionArbitrary: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    type: fc.constant('SetPhase' as const),
    rollout: rolloutName,
    phase: fc.constantFrom(...ROLLOUT_PHASES),
    from: fc.constant(null),
    latch: fc.option(fc.option(fc.record({ phase: fc.constantFrom('Paused' as const, 'Aborted' as const), specHash: fc.constantFrom('h1', 'h2') }), { nil: null }), { nil: undefined }),
  }),
  fc.record({ type: fc.constant('AdvanceStage' as const), rollout: rolloutName, from: fc.constant(1), to: fc.integer({ min: 1, max: 4 }), startedAt: time }),
  fc.record(
    {
      type: fc.constant('AssignRelease' as const),
      rollout: rolloutName,
      appliance: applianceId,
      release: fc.constantFrom('x', 'y'),
      previous: fc.option(fc.record({ rollout: rolloutName, release: fc.constantFrom('x', 'y') }), { nil: null }),
    },
    { requiredKeys: ['type', 'rollout', 'appliance', 'release'] },
  ),
  fc.record({ type: fc.constant('WithdrawRelease' as const), rollout: rolloutName, appliance: applianceId }),
).map((a) => {
  // fc.record keeps an undefined `latch` key; an absent latch is what a plan carries.
  if (a.type === 'SetPhase' && a.latch === undefined) delete a.latch;
  return a;
});

const planArbitrary: fc.Arbitrary<Plan> = fc
  .record({
    now: time,
    actions: fc.array(actionArbitrary, { maxLength: 8 }),
    statuses: fc.uniqueArray(rolloutName, { maxLength: 3 }),
    reason: fc.constantFrom('Stuck', 'Progressing'),
    version: fc.constantFrom('', '1.0.45', 'v2.0.0'),
    rollback: fc.boolean(),
  })
  .map(({ now, actions, statuses, reason, version, rollback }) =>
    plan(now, actions, {
      rollouts: statuses.map((name) =>
        rolloutStatus(name, {
          conditions: [{ type: 'Ready', status: 'False', reason, message: reason, lastTransitionTime: now }],
          revision: `rev-${reason}`,
          version,
          rollback,
        }),
      ),
    }),
  );
