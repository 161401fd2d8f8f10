import { describe, expect, it } from 'vitest';
import { repoLocation } from '../../controller/sources/repo-location.js';

describe('--repo kubernetes://NAMESPACE', () => {
  it.each([
    { name: 'a namespace', given: 'kubernetes://fleet', want: { kind: 'kubernetes', namespace: 'fleet' } },
    { name: 'a trailing slash', given: 'kubernetes://muster-system/', want: { kind: 'kubernetes', namespace: 'muster-system' } },
    { name: 'any case of the scheme', given: 'Kubernetes://fleet', want: { kind: 'kubernetes', namespace: 'fleet' } },
  ])('reads $name', ({ given, want }) => {
    expect(repoLocation(given)).toEqual(want);
  });

  it.each([
    { name: 'no namespace', given: 'kubernetes://' },
    { name: 'an upper-case namespace', given: 'kubernetes://Fleet' },
    { name: 'a path after the namespace', given: 'kubernetes://fleet/rollouts' },
  ])('refuses $name with the expected form', ({ given }) => {
    expect(() => repoLocation(given)).toThrow(/kubernetes:\/\/NAMESPACE needs a namespace name/);
  });
});
