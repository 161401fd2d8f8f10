import { describe, expect, it } from 'vitest';
import { assignmentVerdict, type AssignmentVerdict, type RecordedAssignment } from '../../controller/reconcile/assignment-verdict.js';

// A recorded assignment of the rollout at rank 2, which delivers v1.0.49; its appliance's current target is this very assignment.
const own: RecordedAssignment = { release: 'v1.0.49', targetRank: 2, targetRelease: 'v1.0.49', alreadyMember: false };

describe('assignmentVerdict: what a recorded assignment makes of its appliance', () => {
  const rows: { name: string; given: Partial<RecordedAssignment>; want: AssignmentVerdict }[] = [
    { name: 'a member when its current target is this rollout’s release', given: {}, want: 'member' },
    { name: 'lost when a higher-ranked rollout targets it now', given: { targetRank: 0, targetRelease: 'v1.0.50' }, want: 'lost' },
    { name: 'lost when its target comes from a removed rollout (restored by a withdrawal)', given: { targetRank: 4, targetRelease: 'v1.0.30' }, want: 'lost' },
    { name: 'lost when a lower-ranked rollout targets it now (the claim passed on to it, or ranks changed)', given: { targetRank: 3, targetRelease: 'v1.0.40' }, want: 'lost' },
    { name: 'ignored when nothing targets it (its target was withdrawn)', given: { targetRank: -1, targetRelease: null }, want: 'ignore' },
    { name: 'ignored when the assignment names another release (the spec changed it)', given: { release: 'v1.0.45' }, want: 'ignore' },
    { name: 'ignored when its current target from this rollout is of another release', given: { targetRelease: 'v1.0.45' }, want: 'ignore' },
    { name: 'ignored when another rollout already counted it', given: { alreadyMember: true }, want: 'ignore' },
  ];
  for (const { name, given, want } of rows) {
    it(name, () => expect(assignmentVerdict({ ...own, ...given }, 2, 'v1.0.49')).toBe(want));
  }
});
