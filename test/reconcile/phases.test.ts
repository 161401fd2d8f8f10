import { describe, expect, it } from 'vitest';
import type { RolloutPhase } from '../../controller/observed/state-schema.js';
import { decidePhase, type PhaseInput } from '../../controller/reconcile/phases.js';

const progressing: PhaseInput = {
  decision: { kind: 'active', release: false },
  anyMember: true,
  anyNotClaimedByNewer: true,
  observedPhase: 'Progressing',
  anyStuck: false,
  lastStageComplete: false,
  targeted: 10,
};

describe('decidePhase: a rollout’s phase, first that applies', () => {
  const rows: { name: string; given: Partial<PhaseInput>; want: RolloutPhase }[] = [
    { name: 'Progressing while members are targeted and none is stuck', given: {}, want: 'Progressing' },
    { name: 'Paused by its spec, before anything else', given: { decision: { kind: 'spec-paused', release: true }, anyStuck: true, anyNotClaimedByNewer: false }, want: 'Paused' },
    { name: 'Paused while a failure latch holds it', given: { decision: { kind: 'held', phase: 'Paused', sinceMs: 0 }, anyStuck: true }, want: 'Paused' },
    { name: 'Aborted when the latch trips with action abort', given: { decision: { kind: 'tripped', phase: 'Aborted', sinceMs: 0 }, lastStageComplete: true }, want: 'Aborted' },
    { name: 'Superseded when newer rollouts claimed every member', given: { anyNotClaimedByNewer: false, anyStuck: true }, want: 'Superseded' },
    { name: 'stays Complete when newer rollouts claim its members after it completed', given: { anyNotClaimedByNewer: false, observedPhase: 'Complete' }, want: 'Complete' },
    { name: 'not Superseded with no member at all', given: { anyMember: false, anyNotClaimedByNewer: false, targeted: 0 }, want: 'Pending' },
    { name: 'Stalled when a member is stuck, before Complete', given: { anyStuck: true, lastStageComplete: true }, want: 'Stalled' },
    { name: 'Complete once its last stage completed', given: { lastStageComplete: true }, want: 'Complete' },
    { name: 'Pending while nothing is targeted', given: { targeted: 0 }, want: 'Pending' },
  ];
  for (const { name, given, want } of rows) {
    it(name, () => expect(decidePhase({ ...progressing, ...given })).toBe(want));
  }
});
