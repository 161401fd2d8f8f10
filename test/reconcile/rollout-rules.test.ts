import { describe, expect, it } from 'vitest';
import type { StateDocument } from '../../controller/observed/state-schema.js';
import { ReconcileCache } from '../../controller/reconcile/reconcile.js';
import { computeCohortOrder } from '../../controller/reconcile/cohorts.js';
import type { Action, Plan } from '../../controller/reconcile/plan.js';
import { reconcile } from '../../controller/reconcile/reconcile.js';
import { appliance, appliances, assigned, desired, NOW, observedRollout, release, rollout, seen, state, type DesiredOptions } from './builders.js';

const T0 = '2026-01-31T08:00:00Z';
const run = (d: DesiredOptions, s: Parameters<typeof state>[0] = {}, now = NOW): Plan => reconcile(desired(d), state(s), now, { cache: new ReconcileCache() });
const ofType = <K extends Action['type']>(p: Plan, type: K) => p.actions.filter((a): a is Extract<Action, { type: K }> => a.type === type);
const rolloutOf = (p: Plan, name: string) => p.rollouts.find((r) => r.name === name);
const boxes = appliances('box', 4);
const ids = boxes.map((b) => b.name);
const order = (name: string, of = ids) => computeCohortOrder(name, of);
const online = (id: string, o: Parameters<typeof seen>[1] = {}) => seen(id, { at: '2026-01-31T11:59:30Z', ...o });

describe('starting and advancing a rollout', () => {
  it('a rollout not yet observed starts at stage 1 at now: SetPhase from null, no AdvanceStage, stage 1 assigned in cohort order', () => {
    const p = run({ appliances: boxes, rollouts: [rollout('v1.0.2', { stages: [{ percent: 50 }, { percent: 100 }] })] }, { appliances: ids.map((id) => online(id)) });
    expect(p.actions).toEqual([
      { type: 'SetPhase', rollout: 'v1.0.2', phase: 'Progressing', from: null },
      ...order('v1.0.2').slice(0, 2).map((id) => ({ type: 'AssignRelease', appliance: id, release: 'v1.0.2', rollout: 'v1.0.2' })),
    ]);
    expect(rolloutOf(p, 'v1.0.2')?.stageStartedAt).toBe(NOW.toISOString());
  });

  it('a complete stage advances at its completion + soak, which may be before now', () => {
    const [first] = order('v1.0.2');
    const p = run(
      { appliances: boxes, rollouts: [rollout('v1.0.2', { stages: [{ percent: 25, soak: '1h' }, { percent: 100 }] })] },
      {
        appliances: ids.map((id) => (id === first ? online(id, { version: '1.0.2', update: { release: 'v1.0.2', phase: 'succeeded', since: '2026-01-31T09:00:00Z' } }) : online(id))),
        rollouts: [observedRollout('v1.0.2', { stageStartedAt: T0, assignments: [assigned(first as string, 'v1.0.2', T0)] })],
      },
    );
    expect(ofType(p, 'AdvanceStage')).toEqual([{ type: 'AdvanceStage', rollout: 'v1.0.2', from: 1, to: 2, startedAt: '2026-01-31T10:00:00.000Z' }]);
    expect(ofType(p, 'AssignRelease').map((a) => a.appliance)).toEqual(order('v1.0.2').slice(1));
  });

  it('does not advance before the soak is over, and says when the next stage begins', () => {
    const [first] = order('v1.0.2');
    const p = run(
      { appliances: boxes, rollouts: [rollout('v1.0.2', { stages: [{ percent: 25, soak: '6h' }, { percent: 100 }] })] },
      {
        appliances: [online(first as string, { version: '1.0.2', update: { release: 'v1.0.2', phase: 'succeeded', since: '2026-01-31T09:00:00Z' } })],
        rollouts: [observedRollout('v1.0.2', { stageStartedAt: T0, assignments: [assigned(first as string, 'v1.0.2', T0)] })],
      },
    );
    expect(p.actions).toEqual([]);
    expect(rolloutOf(p, 'v1.0.2')?.message).toContain('stage 2 begins at 2026-01-31T15:00:00.000Z');
  });

  it('advances several stages in one plan when each is complete and soaked', () => {
    const everyone = ids.map((id) => online(id, { version: '1.0.2' }));
    const p = run({ appliances: boxes, rollouts: [rollout('v1.0.2', { stages: [{ percent: 25 }, { percent: 50 }, { percent: 100 }] })] }, { appliances: everyone });
    expect(ofType(p, 'AdvanceStage').map((a) => [a.from, a.to, a.startedAt])).toEqual([
      [1, 2, NOW.toISOString()],
      [2, 3, NOW.toISOString()],
    ]);
    expect(rolloutOf(p, 'v1.0.2')?.phase).toBe('Complete');
  });

  it('a stuck member holds its stage', () => {
    const [first] = order('v1.0.2');
    const p = run(
      { appliances: boxes, rollouts: [rollout('v1.0.2', { stages: [{ percent: 25 }, { percent: 100 }] })] },
      { appliances: ids.map((id) => online(id)), rollouts: [observedRollout('v1.0.2', { stageStartedAt: T0, assignments: [assigned(first as string, 'v1.0.2', T0)] })] },
    );
    expect(ofType(p, 'AdvanceStage')).toEqual([]);
    expect(rolloutOf(p, 'v1.0.2')?.phase).toBe('Stalled');
    expect(p.findings.map((f) => f.type)).toEqual(expect.arrayContaining(['StuckAppliance', 'RolloutStalled']));
  });

  it('a failure within maxFailures lets the stage complete', () => {
    const [first, second] = order('v1.0.2');
    const failed = online(second as string, { update: { release: 'v1.0.2', phase: 'failed', since: '2026-01-31T09:00:00Z', error: 'boom' } });
    const p = run(
      { appliances: boxes, rollouts: [rollout('v1.0.2', { stages: [{ percent: 50 }, { percent: 100 }], maxFailures: 1 })] },
      {
        appliances: [online(first as string, { version: '1.0.2' }), failed],
        rollouts: [observedRollout('v1.0.2', { stageStartedAt: T0, assignments: [assigned(first as string, 'v1.0.2', T0), assigned(second as string, 'v1.0.2', T0)] })],
      },
    );
    expect(ofType(p, 'AdvanceStage')).toHaveLength(1);
    expect(p.findings.some((f) => f.type === 'RolloutFailed')).toBe(false);
  });
});

describe('what holds assignments back', () => {
  const rows: { name: string; given: { options: Parameters<typeof rollout>[1]; observed?: StateDocument['appliances'] }; want: { assigned: number; phase: string; message?: string } }[] = [
    { name: 'paused: nothing is assigned', given: { options: { paused: true } }, want: { assigned: 0, phase: 'Paused', message: 'Paused by its spec' } },
    {
      name: 'a closed window: nothing is assigned yet',
      given: { options: { window: { days: ['mon'], start: '09:00', end: '10:00', timeZone: 'UTC' } } },
      want: { assigned: 0, phase: 'Pending', message: 'waiting for the window' },
    },
    { name: 'maxConcurrent: at most that many in flight', given: { options: { maxConcurrent: 3 } }, want: { assigned: 3, phase: 'Progressing', message: '1 waiting for maxConcurrent' } },
    {
      name: 'maxConcurrent does not count appliances that already run the release',
      given: { options: { maxConcurrent: 1 }, observed: ids.map((id, i) => online(id, { version: i < 3 ? '1.0.2' : '1.0.0' })) },
      want: { assigned: 4, phase: 'Progressing' },
    },
    {
      name: 'a deferring appliance waits, the others do not',
      given: { options: {}, observed: ids.map((id, i) => online(id, i === 0 ? { deferUntil: '2026-01-31T18:00:00Z' } : {})) },
      want: { assigned: 3, phase: 'Progressing', message: '1 deferring updates' },
    },
    { name: 'all deferring: Pending', given: { options: {}, observed: ids.map((id) => online(id, { deferUntil: '2026-01-31T18:00:00Z' })) }, want: { assigned: 0, phase: 'Pending', message: '4 deferring' } },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const p = run({ appliances: boxes, rollouts: [rollout('v1.0.2', row.given.options)] }, { appliances: row.given.observed ?? ids.map((id) => online(id)) });
      expect(ofType(p, 'AssignRelease')).toHaveLength(row.want.assigned);
      expect(rolloutOf(p, 'v1.0.2')?.phase).toBe(row.want.phase);
      if (row.want.message) expect(rolloutOf(p, 'v1.0.2')?.message).toContain(row.want.message);
    });
  }

  it('held-back members are assigned in cohort order as room appears', () => {
    const o = order('v1.0.2');
    const done = online(o[0] as string, { version: '1.0.2' });
    const p = run(
      { appliances: boxes, rollouts: [rollout('v1.0.2', { maxConcurrent: 2 })] },
      { appliances: [done, ...o.slice(1).map((id) => online(id))], rollouts: [observedRollout('v1.0.2', { assignments: [assigned(o[0] as string, 'v1.0.2', T0), assigned(o[1] as string, 'v1.0.2', '2026-01-31T11:00:00Z')] })] },
    );
    expect(ofType(p, 'AssignRelease').map((a) => a.appliance)).toEqual([o[2]]);
  });
});

describe('failures', () => {
  const failing = (id: string) => online(id, { update: { release: 'v1.0.2', phase: 'failed', since: '2026-01-31T09:00:00Z', error: 'boom' } });
  const tripped = (action: 'pause' | 'abort') => {
    const d = { appliances: boxes, rollouts: [rollout('v1.0.2', { maxFailures: 0, action })] };
    const s = {
      appliances: [failing('box-00'), online('box-01', { version: '1.0.2' }), online('box-02'), online('box-03')],
      rollouts: [observedRollout('v1.0.2', { assignments: ['box-00', 'box-01', 'box-02'].map((id) => assigned(id, 'v1.0.2', T0)) })],
    };
    return { d, s, p: run(d, s) };
  };

  it('more than maxFailures latches the rollout Paused (pause) with its spec hash, and assigns nothing more', () => {
    const { d, p } = tripped('pause');
    expect(ofType(p, 'SetPhase')).toEqual([{ type: 'SetPhase', rollout: 'v1.0.2', phase: 'Paused', from: 'Progressing', latch: { phase: 'Paused', specHash: desired(d).rollouts[0]?.specHash } }]);
    expect(ofType(p, 'AssignRelease')).toEqual([]);
    expect(p.findings.find((f) => f.type === 'RolloutFailed')).toMatchObject({ severity: 'error', rollout: 'v1.0.2', since: '2026-01-31T09:00:00.000Z' });
  });

  it('abort also withdraws the release from members that have not succeeded', () => {
    const { p } = tripped('abort');
    expect(ofType(p, 'WithdrawRelease').map((a) => a.appliance)).toEqual(['box-00', 'box-02']);
    expect(p.appliances.filter((a) => a.target).map((a) => a.id)).toEqual(['box-01']);
  });

  it('the latch holds while the spec is unchanged, even once nothing is failed any more', () => {
    const { d, s } = tripped('pause');
    const specHash = desired(d).rollouts[0]?.specHash as string;
    const latched = { ...s, appliances: s.appliances.map((a) => ({ ...a, update: null })), rollouts: [{ ...s.rollouts[0]!, phase: 'Paused' as const, latch: { phase: 'Paused' as const, specHash, at: '2026-01-31T09:30:00Z' } }] };
    const p = run(d, latched);
    expect(p.actions).toEqual([]);
    expect(rolloutOf(p, 'v1.0.2')?.phase).toBe('Paused');
    expect(p.findings.find((f) => f.type === 'RolloutFailed')?.since).toBe('2026-01-31T09:30:00.000Z');
  });

  it('a commit that changes the rollout releases the latch and it proceeds with the new spec', () => {
    const { s } = tripped('pause');
    const latched = { ...s, rollouts: [{ ...s.rollouts[0]!, phase: 'Paused' as const, latch: { phase: 'Paused' as const, specHash: 'old', at: '2026-01-31T09:30:00Z' } }] };
    const p = run({ appliances: boxes, rollouts: [rollout('v1.0.2', { maxFailures: 1 })] }, latched);
    expect(ofType(p, 'SetPhase')).toEqual([{ type: 'SetPhase', rollout: 'v1.0.2', phase: 'Stalled', from: 'Paused', latch: null }]);
    expect(ofType(p, 'AssignRelease').map((a) => a.appliance)).toEqual(['box-03']);
  });
});

describe('targets and superseding', () => {
  it('an appliance targets the newest release among the rollouts that assigned it; the older rollout no longer counts it', () => {
    const p = run(
      { appliances: [appliance('a')], releases: [release('v1.0.9'), release('v1.0.10')], rollouts: [rollout('old', { release: 'v1.0.9' }), rollout('new', { release: 'v1.0.10' })] },
      { appliances: [online('a')], rollouts: [observedRollout('old', { assignments: [assigned('a', 'v1.0.9', T0)] }), observedRollout('new', { assignments: [assigned('a', 'v1.0.10', T0)] })] },
    );
    expect(p.appliances[0]).toMatchObject({ id: 'a', target: 'v1.0.10', rollout: 'new' });
    expect(rolloutOf(p, 'old')).toMatchObject({ phase: 'Superseded', counts: { targeted: 0 } });
  });

  it('between rollouts of the same version, the rollout name sorting last wins', () => {
    const p = run(
      { appliances: [appliance('a')], releases: [release('r1', '2.0.0'), release('r2', '2.0.0')], rollouts: [rollout('alpha', { release: 'r2' }), rollout('beta', { release: 'r1' })] },
      { appliances: [online('a')] },
    );
    expect(p.appliances[0]).toMatchObject({ target: 'r1', rollout: 'beta' });
    expect(ofType(p, 'AssignRelease').map((a) => a.rollout)).toEqual(['beta']);
  });

  it('a rollout that completed stays Complete when newer rollouts claim its members', () => {
    const p = run(
      { appliances: [appliance('a')], releases: [release('v1.0.1'), release('v1.0.2')], rollouts: [rollout('v1.0.1'), rollout('v1.0.2')] },
      { appliances: [online('a')], rollouts: [observedRollout('v1.0.1', { phase: 'Complete', assignments: [assigned('a', 'v1.0.1', T0)] })] },
    );
    expect(rolloutOf(p, 'v1.0.1')?.phase).toBe('Complete');
  });

  it('ignores assignments of rollouts no longer declared', () => {
    const p = run({ appliances: [appliance('a')], releases: [release('v1.0.1')] }, { appliances: [online('a')], rollouts: [observedRollout('gone', { assignments: [assigned('a', 'v1.0.1', T0)] })] });
    expect(p.appliances[0]).toMatchObject({ target: null, status: 'idle' });
  });

  it('assigns afresh when the rollout now names another release', () => {
    const p = run({ appliances: [appliance('a')], rollouts: [rollout('ro', { release: 'v1.0.3' })] }, { appliances: [online('a')], rollouts: [observedRollout('ro', { assignments: [assigned('a', 'v1.0.2', T0)] })] });
    expect(ofType(p, 'AssignRelease')).toEqual([{ type: 'AssignRelease', appliance: 'a', release: 'v1.0.3', rollout: 'ro', previous: { rollout: 'ro', release: 'v1.0.2' } }]);
  });
});

describe('appliance entries and phases', () => {
  it('undeclared appliances that check in are unknown with no target; declared ones without a target are idle with a reason', () => {
    const p = run({ appliances: [appliance('a'), appliance('b')], releases: [release('v1.0.49')] }, { appliances: [online('a', { version: '1.0.49' }), online('stranger')] });
    expect(p.appliances).toEqual([
      { id: 'a', target: null, rollout: null, status: 'idle', reason: 'up to date on v1.0.49; no rollout targets it' },
      { id: 'b', target: null, rollout: null, status: 'idle', reason: 'never checked in; no rollout targets it' },
      { id: 'stranger', target: null, rollout: null, status: 'unknown', reason: expect.stringContaining('not declared') },
    ]);
    expect(p.findings.find((f) => f.type === 'UnknownAppliance')).toMatchObject({ appliance: 'stranger', severity: 'warning' });
  });

  it('a rollout whose selector matches nobody is Pending with a NoEligibleAppliances warning', () => {
    const p = run({ appliances: boxes, rollouts: [rollout('v1.0.2', { selector: { matchLabels: { ring: 'none' } } })] });
    expect(rolloutOf(p, 'v1.0.2')).toMatchObject({ phase: 'Pending', stage: 1, message: expect.stringContaining('no eligible appliances') });
    expect(rolloutOf(p, 'v1.0.2')?.conditions[0]).toMatchObject({ type: 'Ready', status: 'False', reason: 'NoEligibleAppliances' });
    expect(p.findings.find((f) => f.type === 'NoEligibleAppliances')).toMatchObject({ rollout: 'v1.0.2', severity: 'warning' });
  });

  it('conditions keep their lastTransitionTime while their status holds, and take now when it changes', () => {
    const conditions = [
      { type: 'Ready', status: 'False' as const, reason: 'Progressing', message: 'old', lastTransitionTime: '2026-01-30T00:00:00Z' },
      { type: 'Reconciling', status: 'True' as const, reason: 'Progressing', message: 'old', lastTransitionTime: '2026-01-30T00:00:00Z' },
      { type: 'Stalled', status: 'False' as const, reason: 'Progressing', message: 'old', lastTransitionTime: '2026-01-30T00:00:00Z' },
    ];
    const p = run(
      { appliances: [appliance('a')], rollouts: [rollout('v1.0.2')], revision: 'abc' },
      { appliances: [online('a', { version: '1.0.2' })], rollouts: [observedRollout('v1.0.2', { conditions, assignments: [assigned('a', 'v1.0.2', T0)] })] },
    );
    const status = rolloutOf(p, 'v1.0.2');
    expect(status?.phase).toBe('Complete');
    expect(status?.revision).toBe('abc');
    expect(status?.conditions.map((c) => [c.type, c.status, c.reason, c.lastTransitionTime])).toEqual([
      ['Ready', 'True', 'Complete', NOW.toISOString()],
      ['Reconciling', 'False', 'Complete', NOW.toISOString()],
      ['Stalled', 'False', 'Complete', '2026-01-30T00:00:00Z'],
    ]);
  });
});
