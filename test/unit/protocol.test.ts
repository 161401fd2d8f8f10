import { describe, expect, it } from 'vitest';
import { sameVersion } from '../../protocol/versions.js';

describe('sameVersion: what "runs the release" means, for the agent and the controller alike', () => {
  it.each([
    { name: 'equal text', given: ['1.0.49', '1.0.49'], want: true },
    { name: 'a leading v on either side', given: ['3.1.0', 'v3.1.0'], want: true },
    { name: 'surrounding space', given: [' v3.1.0', '3.1.0 '], want: true },
    { name: 'different versions', given: ['1.0.45', '1.0.49'], want: false },
    { name: 'not semver: equal text only', given: ['build-7', 'build-7'], want: true },
    { name: 'not semver against semver', given: ['build-7', '1.0.0'], want: false },
    { name: 'nothing reported', given: [null, '1.0.0'], want: false },
  ] as { name: string; given: [string | null, string]; want: boolean }[])('$name', ({ given, want }) => {
    expect(sameVersion(...given)).toBe(want);
  });
});
