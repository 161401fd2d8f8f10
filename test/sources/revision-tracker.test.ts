import { describe, expect, test } from 'vitest';
import { openSource } from '../../controller/sources/open-source.js';
import { repoLocation } from '../../controller/sources/repo-location.js';
import { initialTrackerState, trackRevision, type TrackerState } from '../../controller/sources/revision-tracker.js';
import type { Revision } from '../../controller/sources/source.js';
import { appliance, files } from '../desired/fleet-builders.js';

const T0 = new Date('2026-01-31T12:00:00Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const good = (id: string, name = 'a'): Revision => ({ id, files: files({ 'a.yaml': appliance(name) }) });
const bad = (id: string): Revision => ({ id, files: files({ 'a.yaml': appliance('Not_Valid') }) });

/** Feeds revisions in order, returning each outcome and the final state. */
function feed(revisions: Revision[]): { outcomes: string[]; state: TrackerState } {
  let state = initialTrackerState(T0);
  const outcomes: string[] = [];
  revisions.forEach((revision, i) => {
    const step = trackRevision(state, revision, at(i + 1));
    outcomes.push(step.outcome);
    state = step.state;
  });
  return { outcomes, state };
}

describe('the last-good rule', () => {
  test.each([
    { name: 'a first good revision is applied', given: [good('r1')], want: { outcomes: ['applied'], applied: 'r1', attempted: 'r1', errors: 0, current: 'r1' } },
    { name: 'a first bad revision leaves nothing to act on', given: [bad('r1')], want: { outcomes: ['rejected'], applied: null, attempted: 'r1', errors: 1, current: null } },
    { name: 'a bad revision never replaces the good one', given: [good('r1'), bad('r2')], want: { outcomes: ['applied', 'rejected'], applied: 'r1', attempted: 'r2', errors: 1, current: 'r1' } },
    { name: 'the same bad revision again changes nothing', given: [good('r1'), bad('r2'), bad('r2')], want: { outcomes: ['applied', 'rejected', 'unchanged'], applied: 'r1', attempted: 'r2', errors: 1, current: 'r1' } },
    { name: 'a fix after a bad revision is applied and clears the errors', given: [good('r1'), bad('r2'), good('r3', 'b')], want: { outcomes: ['applied', 'rejected', 'applied'], applied: 'r3', attempted: 'r3', errors: 0, current: 'r3' } },
    { name: 'going back to the good revision (a revert) is applied', given: [good('r1'), bad('r2'), good('r1')], want: { outcomes: ['applied', 'rejected', 'applied'], applied: 'r1', attempted: 'r1', errors: 0, current: 'r1' } },
    {
      name: 'files the source could not read reject the revision',
      given: [good('r1'), { ...good('r2'), unreadable: [{ file: 'b.yaml', line: 1, column: 1, path: '', message: 'cannot read the file: EACCES' }] }],
      want: { outcomes: ['applied', 'rejected'], applied: 'r1', attempted: 'r2', errors: 1, current: 'r1' },
    },
  ])('$name', ({ given, want }) => {
    const { outcomes, state } = feed(given);
    expect(outcomes).toEqual(want.outcomes);
    expect(state.status).toMatchObject({ lastAppliedRevision: want.applied, lastAttemptedRevision: want.attempted });
    expect(state.status.errors).toHaveLength(want.errors);
    expect(state.current?.revision ?? null).toBe(want.current);
  });

  test('the status is stamped with the time of the last change', () => {
    const { state } = feed([good('r1'), bad('r2'), bad('r2')]);
    expect(state.status.at).toBe(at(2).toISOString());
  });

  test('errors of a rejected revision are placed in its files', () => {
    const { state } = feed([bad('r1')]);
    expect(state.status.errors).toEqual([{ file: 'a.yaml', line: 4, column: 9, path: 'metadata.name', message: expect.stringContaining('DNS subdomain') }]);
  });
});

describe('--repo', () => {
  test.each([
    { given: 'https://github.com/clinics/fleet.git', want: 'git' },
    { given: 'http://git.internal/fleet.git', want: 'git' },
    { given: 'ssh://git@github.com/clinics/fleet.git', want: 'git' },
    { given: 'git@github.com:clinics/fleet.git', want: 'git' },
    { given: 'file:///srv/git/fleet.git', want: 'git' },
    { given: 'fleet-repo-example', want: 'directory' },
    { given: './fleet', want: 'directory' },
    { given: '/srv/fleet', want: 'directory' },
    { given: 'C:fleet', want: 'directory' },
  ])('$given is a $want source', async ({ given, want }) => {
    expect(repoLocation(given).kind).toBe(want);
    expect((await openSource({ repo: given, cacheDir: 'unused' })).kind).toBe(want);
  });
});
