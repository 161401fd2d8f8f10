import { describe, expect, it } from 'vitest';
import type { RolloutObservation } from '../../controller/observed/state-schema.js';
import { ReconcileCache } from '../../controller/reconcile/reconcile.js';
import type { Action, Plan } from '../../controller/reconcile/plan.js';
import { compareRank, type RankedRollout } from '../../controller/reconcile/rank.js';
import { reconcile } from '../../controller/reconcile/reconcile.js';
import { appliance, appliances, assigned, desired, NOW, observedRollout, release, rollout, seen, state, type DesiredOptions } from './builders.js';

// The story of the rules: v1.0.45 ran everywhere, v1.0.49 followed, v1.0.51 is next.
const T45 = '2026-01-01T00:00:00Z';
const T49 = '2026-01-10T00:00:00Z';
const T51 = '2026-01-31T08:00:00Z';
const releases = [release('v1.0.45'), release('v1.0.49'), release('v1.0.51')];
const online = (id: string, version: string) => seen(id, { at: '2026-01-31T11:59:30Z', version });
const run = (d: DesiredOptions, rollouts: RolloutObservation[], fleet: ReturnType<typeof seen>[]): Plan =>
  reconcile(desired({ releases, ...d }), state({ appliances: fleet, rollouts }), NOW, { cache: new ReconcileCache() });
const targets = (p: Plan) => Object.fromEntries(p.appliances.map((a) => [a.id, a.target && `${a.target}@${a.rollout}`]));
const moves = (p: Plan) =>
  p.actions.filter((a) => a.type === 'AssignRelease' || a.type === 'WithdrawRelease').map((a) => `${a.type} ${a.appliance} ${a.rollout}`);
const ofType = <K extends Action['type']>(p: Plan, type: K) => p.actions.filter((a): a is Extract<Action, { type: K }> => a.type === type);

const v45 = observedRollout('v1.0.45', { phase: 'Complete', assignments: [assigned('a', 'v1.0.45', T45)] });
const v49 = (at = T49) => observedRollout('v1.0.49', { phase: 'Complete', assignments: [assigned('a', 'v1.0.49', at)] });

interface Row {
  name: string;
  given: { desired: DesiredOptions; observed: RolloutObservation[]; fleet: ReturnType<typeof seen>[] };
  want: { targets: Record<string, string | null>; moves: string[]; removed?: string[] };
}

const rows: Row[] = [
  {
    name: 'removal: an appliance that runs the removed rollout’s release keeps its target (the issue: it was told to downgrade)',
    given: { desired: { appliances: [appliance('a')], rollouts: [rollout('v1.0.45')] }, observed: [v45, v49()], fleet: [online('a', '1.0.49')] },
    want: { targets: { a: 'v1.0.49@v1.0.49' }, moves: [], removed: ['v1.0.49'] },
  },
  {
    name: 'removal: an appliance that has not succeeded is withdrawn and gets its previous target back',
    given: { desired: { appliances: [appliance('a')], rollouts: [rollout('v1.0.45')] }, observed: [v45, v49()], fleet: [online('a', '1.0.45')] },
    want: { targets: { a: 'v1.0.45@v1.0.45' }, moves: ['WithdrawRelease a v1.0.49'], removed: [] },
  },
  {
    name: 'removal: with no previous target the appliance has none',
    given: { desired: { appliances: [appliance('a')] }, observed: [v49()], fleet: [online('a', '1.0.0')] },
    want: { targets: { a: null }, moves: ['WithdrawRelease a v1.0.49'], removed: [] },
  },
  {
    name: 'removal: a withdrawn appliance may be claimed by a newer rollout in the same plan',
    given: { desired: { appliances: [appliance('a')], rollouts: [rollout('v1.0.45'), rollout('v1.0.51')] }, observed: [v45, v49()], fleet: [online('a', '1.0.45')] },
    want: { targets: { a: 'v1.0.51@v1.0.51' }, moves: ['WithdrawRelease a v1.0.49', 'AssignRelease a v1.0.51'], removed: [] },
  },
  {
    name: 'rank: a newer release claims the member of an older rollout',
    given: { desired: { appliances: [appliance('a')], rollouts: [rollout('v1.0.45'), rollout('v1.0.49')] }, observed: [v45], fleet: [online('a', '1.0.45')] },
    want: { targets: { a: 'v1.0.49@v1.0.49' }, moves: ['AssignRelease a v1.0.49'] },
  },
  {
    name: 'rank: an older rollout never takes a member of a newer one',
    given: { desired: { appliances: [appliance('a')], rollouts: [rollout('v1.0.45'), rollout('v1.0.49')] }, observed: [v45, v49()], fleet: [online('a', '1.0.49')] },
    want: { targets: { a: 'v1.0.49@v1.0.49' }, moves: [] },
  },
  {
    name: 'downgrade refusal: a rollout that is not a rollback does not assign an appliance running a newer version',
    given: { desired: { appliances: [appliance('a')], rollouts: [rollout('v1.0.45')] }, observed: [], fleet: [online('a', '1.0.49')] },
    want: { targets: { a: null }, moves: [] },
  },
  {
    name: 'rollback: a rollback of an older release claims the members of a newer rollout',
    given: { desired: { appliances: [appliance('a')], rollouts: [rollout('back', { release: 'v1.0.45', rollback: true }), rollout('v1.0.49')] }, observed: [v49()], fleet: [online('a', '1.0.49')] },
    want: { targets: { a: 'v1.0.45@back' }, moves: ['AssignRelease a back'] },
  },
  {
    name: 'rollback: the rollout it claimed from never takes its members back',
    given: {
      desired: { appliances: [appliance('a')], rollouts: [rollout('back', { release: 'v1.0.45', rollback: true }), rollout('v1.0.49')] },
      observed: [v49(), observedRollout('back', { assignments: [assigned('a', 'v1.0.45', T51)] })],
      fleet: [online('a', '1.0.45')],
    },
    want: { targets: { a: 'v1.0.45@back' }, moves: [] },
  },
  {
    name: 'rollback removed: its members keep their target, and the rollout it claimed from does not take them back',
    given: {
      desired: { appliances: [appliance('a')], rollouts: [rollout('v1.0.49')] },
      observed: [v49(), observedRollout('back', { phase: 'Complete', release: 'v1.0.45', rollback: true, assignments: [assigned('a', 'v1.0.45', T51)] })],
      fleet: [online('a', '1.0.45')],
    },
    want: { targets: { a: 'v1.0.45@back' }, moves: [], removed: ['back'] },
  },
  {
    name: 'rollback removed: a new rollout of a newer release moves on from it',
    given: {
      desired: { appliances: [appliance('a')], rollouts: [rollout('v1.0.49'), rollout('v1.0.51')] },
      observed: [v49(), observedRollout('back', { phase: 'Complete', assignments: [assigned('a', 'v1.0.45', T51)] })],
      fleet: [online('a', '1.0.45')],
    },
    want: { targets: { a: 'v1.0.51@v1.0.51' }, moves: ['AssignRelease a v1.0.51'], removed: [] },
  },
  {
    name: 'claims: a rollout does not assign again a member it lost to a claim',
    given: {
      desired: { appliances: [appliance('a')], rollouts: [rollout('v1.0.49')] },
      observed: [v49(), observedRollout('other', { release: 'v1.0.51', version: '1.0.51', assignments: [assigned('a', 'v1.0.51', T51)] })],
      fleet: [online('a', '1.0.51')],
    },
    want: { targets: { a: 'v1.0.51@other' }, moves: [], removed: ['other'] },
  },
];

describe('targets move only by actions: removal, rank, claims, rollback, downgrade refusal', () => {
  it.each(rows)('$name', ({ given, want }) => {
    const p = run(given.desired, given.observed, given.fleet);
    expect(targets(p)).toEqual(want.targets);
    expect(moves(p)).toEqual(want.moves);
    if (want.removed) expect(p.rollouts.filter((r) => r.phase === 'Removed').map((r) => r.name)).toEqual(want.removed);
  });
});

describe('what the plan says about it', () => {
  it('a withdrawal names the release withdrawn and the target restored; the removed rollout is set Removed', () => {
    const p = run({ appliances: [appliance('a')], rollouts: [rollout('v1.0.45')] }, [v45, v49()], [online('a', '1.0.45')]);
    expect(ofType(p, 'WithdrawRelease')).toEqual([
      { type: 'WithdrawRelease', appliance: 'a', rollout: 'v1.0.49', release: 'v1.0.49', restores: { rollout: 'v1.0.45', release: 'v1.0.45' } },
    ]);
    expect(ofType(p, 'SetPhase')).toContainEqual({ type: 'SetPhase', rollout: 'v1.0.49', phase: 'Removed', from: 'Complete' });
  });

  it('a removed rollout stays in rollouts[] as Removed while a target comes from it, with a message saying so', () => {
    const p = run({ appliances: [appliance('a')] }, [v49()], [online('a', '1.0.49')]);
    expect(p.rollouts).toMatchObject([{ name: 'v1.0.49', phase: 'Removed', release: 'v1.0.49', counts: { targeted: 1, succeeded: 1 } }]);
    expect(p.rollouts[0]?.message).toMatch(/^Removed from the repository: 1 appliance keeps v1.0.49/);
  });

  it('a rollback’s assignment names the target it replaces and is flagged a downgrade, stage by stage', () => {
    const boxes = appliances('box', 4);
    const p = run(
      { appliances: boxes, rollouts: [rollout('back', { release: 'v1.0.45', rollback: true, stages: [{ percent: 50 }, { percent: 100 }] }), rollout('v1.0.49')] },
      [observedRollout('v1.0.49', { phase: 'Complete', assignments: boxes.map((b) => assigned(b.name, 'v1.0.49', T49)) })],
      boxes.map((b) => online(b.name, '1.0.49')),
    );
    const assigns = ofType(p, 'AssignRelease');
    expect(assigns).toHaveLength(2);
    for (const a of assigns) expect(a).toMatchObject({ rollout: 'back', release: 'v1.0.45', previous: { rollout: 'v1.0.49', release: 'v1.0.49' }, downgrade: true });
  });

  it('NewerThanRelease: one warning per rollout, counting and naming the appliances it refuses', () => {
    const p = run({ appliances: [appliance('a'), appliance('b'), appliance('c')], rollouts: [rollout('v1.0.45')] }, [], [online('a', '1.0.49'), online('b', '1.0.51'), online('c', '1.0.0')]);
    const found = p.findings.filter((f) => f.type === 'NewerThanRelease');
    expect(found).toEqual([expect.objectContaining({ severity: 'warning', rollout: 'v1.0.45' })]);
    expect(found[0]?.message).toMatch(/^2 eligible appliances run a newer version than v1.0.45 \(a, b\)/);
    expect(moves(p)).toEqual(['AssignRelease c v1.0.45']);
  });

  it('TargetReleaseMissing: a removed Release leaves its appliances their target, with a warning', () => {
    const gone = observedRollout('v1.0.49', { phase: 'Complete', release: 'v1.0.49', version: '1.0.49', assignments: [assigned('a', 'v1.0.49', T49)] });
    const p = reconcile(desired({ appliances: [appliance('a')], releases: [release('v1.0.45')] }), state({ appliances: [online('a', '1.0.49')], rollouts: [gone] }), NOW, { cache: null });
    expect(targets(p)).toEqual({ a: 'v1.0.49@v1.0.49' });
    expect(moves(p)).toEqual([]);
    expect(p.findings.find((f) => f.type === 'TargetReleaseMissing')).toMatchObject({ severity: 'warning', rollout: 'v1.0.49' });
  });
});

describe('rank order', () => {
  const r = (name: string, version: string, rollback = false): RankedRollout => ({ name, release: name, version, rollback, spec: null, observed: null });
  it.each([
    { name: 'a rollback outranks a newer release', given: [r('new', '1.0.51'), r('back', '1.0.45', true)], want: ['back', 'new'] },
    { name: 'a newer release outranks an older one', given: [r('old', '1.0.45'), r('new', '1.0.51')], want: ['new', 'old'] },
    { name: 'semver, not text: 1.0.10 is newer than 1.0.9', given: [r('ten', '1.0.10'), r('nine', '1.0.9')], want: ['ten', 'nine'] },
    { name: 'equal versions: the name sorting last ranks first', given: [r('alpha', '2.0.0'), r('beta', '2.0.0')], want: ['beta', 'alpha'] },
  ])('$name', ({ given, want }) => {
    expect([...given].sort(compareRank).map((x) => x.name)).toEqual(want);
  });
});

describe('what "runs the release" means: the rule the agent applies too', () => {
  it.each([
    { name: 'a Release `v3.1.0` and an agent reporting `3.1.0`', given: { release: 'v3.1.0', reports: '3.1.0' }, want: 'succeeded' },
    { name: 'text that is not semver, equal', given: { release: 'build-7', reports: 'build-7' }, want: 'succeeded' },
    { name: 'text that is not semver, different: not succeeded (and, assigned 4 h ago, stuck)', given: { release: 'build-7', reports: 'build-8' }, want: 'stuck' },
  ])('$name', ({ given, want }) => {
    const p = reconcile(
      desired({ appliances: [appliance('a')], releases: [release('r', given.release)], rollouts: [rollout('ro', { release: 'r' })] }),
      state({ appliances: [online('a', given.reports)], rollouts: [observedRollout('ro', { assignments: [assigned('a', 'r', T51)] })] }),
      NOW,
      { cache: null },
    );
    expect(p.appliances[0]?.status).toBe(want);
  });
});
