import { describe, expect, it } from 'vitest';
import { claimOf, type Claim, type ClaimingRollout, type ClaimTarget } from '../../controller/reconcile/claims.js';
import { compareVersions } from '../../controller/reconcile/versions.js';

// The rollout being planned: rank 2, delivering v1.0.49 (version 1.0.49).
const rollout = (rollback = false): ClaimingRollout => ({ rank: 2, release: 'v1.0.49', rollback, isNewer: (v) => compareVersions(v, '1.0.49') > 0 });
const none: ClaimTarget = { lostHere: false, rank: -1, release: null, version: null };

describe('claimOf: what a rollout may do with an appliance that is not its member', () => {
  const rows: { name: string; given: { target: Partial<ClaimTarget>; rollback?: boolean }; want: Claim }[] = [
    { name: 'take one without a target', given: { target: {} }, want: 'take' },
    { name: 'take one whose target came from a lower-ranked rollout', given: { target: { rank: 3, release: 'v1.0.40' } }, want: 'take' },
    { name: 'leave one whose target came from a higher-ranked rollout', given: { target: { rank: 1, release: 'v1.0.50' } }, want: 'taken' },
    { name: 'leave one it already targets with its release', given: { target: { rank: 2, release: 'v1.0.49' } }, want: 'taken' },
    { name: 'take one it targets with another release (its spec changed the release)', given: { target: { rank: 2, release: 'v1.0.45' } }, want: 'take' },
    { name: 'leave one it lost to a claim, even with no target now', given: { target: { lostHere: true } }, want: 'taken' },
    { name: 'refuse one that runs a newer version', given: { target: { version: '1.0.50' } }, want: 'newer' },
    { name: 'take one that runs the same or an older version', given: { target: { version: '1.0.49' } }, want: 'take' },
    { name: 'a rollback takes one that runs a newer version', given: { target: { version: '1.0.50' }, rollback: true }, want: 'take' },
    { name: 'taken before newer: a higher-ranked target wins', given: { target: { rank: 0, release: 'v1.0.50', version: '1.0.50' } }, want: 'taken' },
  ];
  for (const { name, given, want } of rows) {
    it(name, () => expect(claimOf({ ...none, ...given.target }, rollout(given.rollback))).toBe(want));
  }
});
