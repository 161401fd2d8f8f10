import { describe, expect, it } from 'vitest';
import { brokenInvariants, type SentCheckin, type StoreSnapshot } from './store-invariants.js';

const report = (image: string) => ({ agentVersion: '1.0.49', imageVersion: image, update: null, retention: null });
const snap = (over: Partial<StoreSnapshot> = {}): StoreSnapshot => ({
  version: 5,
  appliances: new Map([['a', { id: 'a', lastCheckinAt: '2026-12-04T00:00:00Z', ...report('2') }]]),
  assignments: [{ rollout: 'r', appliance: 'a', release: 'v2' }],
  events: [{ type: 'AssignRelease', rollout: 'r', appliance: 'a', detail: {} }],
  rollouts: [],
  ...over,
});
const sent = (...items: [string, boolean][]): SentCheckin[] => items.map(([image, acked]) => ({ appliance: 'a', report: report(image), acked }));

// The checker must see each kind of break, or a chaos run that finds none proves nothing.
describe('the store invariant checker', () => {
  it.each([
    { name: 'the last acknowledged check-in stored', given: { snap: snap(), sent: sent(['1', true], ['2', true]), version: 5 }, want: [] },
    { name: 'a later unacknowledged one stored', given: { snap: snap(), sent: sent(['1', true], ['2', false]), version: 5 }, want: [] },
    { name: 'an acknowledged check-in lost', given: { snap: snap(), sent: sent(['2', true], ['3', true]), version: 5 }, want: ['a: its last check-in answered 200 is not what the store holds'] },
    { name: 'two targets', given: { snap: snap({ assignments: [{ rollout: 'r', appliance: 'a', release: 'v2' }, { rollout: 's', appliance: 'a', release: 'v3' }] }), sent: [], version: 5 }, want: ['a has 2 targets'] },
    { name: 'a state version going down', given: { snap: snap(), sent: [], version: 6 }, want: ['state version went down from 6 to 5'] },
    {
      name: 'an action applied twice',
      given: { snap: snap({ events: [{ type: 'AdvanceStage', rollout: 'r', appliance: null, detail: { from: 1 } }, { type: 'AdvanceStage', rollout: 'r', appliance: null, detail: { from: 1 } }] }), sent: [], version: 5 },
      want: ['applied twice: AdvanceStage r 1'],
    },
  ])('$name', ({ given, want }) => {
    expect(brokenInvariants(given.snap, given.sent, given.version)).toEqual(want);
  });
});
