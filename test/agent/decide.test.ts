import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { INITIAL_STATE, type LocalState, type Target } from '../../agent/state/local-state.js';
import { decide, type DecideInput, type Step } from '../../agent/update/decide.js';
import { UPDATE_PHASES } from '../../controller/observed/state-schema.js';

const NOW = Date.parse('2026-02-02T12:00:00Z');
const target = (version: string): Target => ({
  name: `v${version}`,
  version,
  image: { version: version.split('.').at(-1) as string, url: `https://images.example/${version}.img`, sha256: version.replace(/\./g, '').padEnd(64, 'a') },
});
const V51 = target('1.0.51');
const V52 = target('1.0.52');

function input(state: Partial<LocalState>, more: Partial<DecideInput> = {}): DecideInput {
  return {
    state: { ...INITIAL_STATE, ...state },
    running: { agentVersion: '1.0.45', imageVersion: '45' },
    now: NOW,
    deferUntil: null,
    maxAttempts: 3,
    rebootTimeoutMs: 600_000,
    ...more,
  };
}

const rows: { name: string; given: DecideInput; want: Step }[] = [
  { name: 'no target, nothing worked on', given: input({}), want: { kind: 'idle', reason: 'no target' } },
  { name: 'a new target is taken on', given: input({ serverTarget: V51 }), want: { kind: 'switch', target: V51, discard: null } },
  {
    name: 'a target change mid-download discards the old download',
    given: input({ serverTarget: V52, work: V51, phase: 'downloading', attempt: 1 }),
    want: { kind: 'switch', target: V52, discard: V51 },
  },
  {
    name: 'a target change after a failure discards nothing',
    given: input({ serverTarget: V52, work: V51, phase: 'failed', attempt: 3 }),
    want: { kind: 'switch', target: V52, discard: null },
  },
  {
    name: 'a withdrawn target mid-verification discards the image',
    given: input({ serverTarget: null, work: V51, phase: 'verifying' }),
    want: { kind: 'switch', target: null, discard: V51 },
  },
  { name: 'a fresh target starts attempt 1', given: input({ serverTarget: V51, work: V51 }), want: { kind: 'download', attempt: 1 } },
  {
    name: 'a fresh target inside a deferral window waits for its end',
    given: input({ serverTarget: V51, work: V51 }, { deferUntil: NOW + 3_600_000 }),
    want: { kind: 'defer', until: NOW + 3_600_000 },
  },
  {
    name: 'a download cut off by a restart resumes under the same attempt',
    given: input({ serverTarget: V51, work: V51, phase: 'downloading', attempt: 2 }),
    want: { kind: 'download', attempt: 2 },
  },
  { name: 'a downloaded image is verified', given: input({ serverTarget: V51, work: V51, phase: 'verifying' }), want: { kind: 'verify' } },
  {
    name: 'a verified image is installed',
    given: input({ serverTarget: V51, work: V51, phase: 'verifying', verified: true }),
    want: { kind: 'install' },
  },
  {
    name: 'a verified image is not installed inside a deferral window',
    given: input({ serverTarget: V51, work: V51, phase: 'verifying', verified: true }, { deferUntil: NOW + 60_000 }),
    want: { kind: 'defer', until: NOW + 60_000 },
  },
  {
    name: 'an install cut off by a restart is a failure',
    given: input({ serverTarget: V51, work: V51, phase: 'installing', attempt: 1 }),
    want: { kind: 'fail', error: 'install interrupted: the agent stopped while the install command ran' },
  },
  {
    name: 'after the install, the version file is waited for',
    given: input({ serverTarget: V51, work: V51, phase: 'rebooting', since: NOW - 60_000 }),
    want: { kind: 'wait', until: NOW + 540_000, reason: 'waiting for 1.0.51 to run after the install' },
  },
  {
    name: 'the version file never changing fails the attempt',
    given: input({ serverTarget: V51, work: V51, phase: 'rebooting', since: NOW - 600_000 }),
    want: { kind: 'fail', error: 'still running 1.0.45 10m after the install; expected 1.0.51' },
  },
  {
    name: 'the version file showing the release is success',
    given: input({ serverTarget: V51, work: V51, phase: 'rebooting', since: NOW - 60_000 }, { running: { agentVersion: '1.0.51', imageVersion: '51' } }),
    want: { kind: 'succeed' },
  },
  {
    name: 'already running the target is success without a download',
    given: input({ serverTarget: V51, work: V51 }, { running: { agentVersion: '1.0.51', imageVersion: '51' } }),
    want: { kind: 'succeed' },
  },
  {
    name: 'a Release written `v3.1.0` is run by an agent reporting `3.1.0`: the controller’s version rule, so no reinstall',
    given: input({ serverTarget: target('v3.1.0'), work: target('v3.1.0'), phase: 'rebooting', since: NOW - 60_000 }, { running: { agentVersion: '3.1.0', imageVersion: '0' } }),
    want: { kind: 'succeed' },
  },
  {
    name: 'success is recorded once',
    given: input({ serverTarget: V51, work: V51, phase: 'succeeded' }, { running: { agentVersion: '1.0.51', imageVersion: '51' } }),
    want: { kind: 'idle', reason: 'runs 1.0.51' },
  },
  {
    name: 'a failure waits for its backoff',
    given: input({ serverTarget: V51, work: V51, phase: 'failed', attempt: 1, nextAttemptAt: NOW + 30_000 }),
    want: { kind: 'wait', until: NOW + 30_000, reason: 'attempt 2 after backoff' },
  },
  {
    name: 'a failure is retried once its backoff passed',
    given: input({ serverTarget: V51, work: V51, phase: 'failed', attempt: 1, nextAttemptAt: NOW }),
    want: { kind: 'download', attempt: 2 },
  },
  {
    name: 'a retry waits out a deferral window',
    given: input({ serverTarget: V51, work: V51, phase: 'failed', attempt: 1, nextAttemptAt: NOW }, { deferUntil: NOW + 5 }),
    want: { kind: 'defer', until: NOW + 5 },
  },
  {
    name: 'the last attempt failing gives up',
    given: input({ serverTarget: V51, work: V51, phase: 'failed', attempt: 3, nextAttemptAt: NOW - 1 }),
    want: { kind: 'idle', reason: 'gave up after 3 attempts' },
  },
];

describe('decide', () => {
  it.each(rows)('$name', ({ given, want }) => {
    expect(decide(given)).toEqual(want);
  });

  const arbitraryInput = fc.record({
    serverTarget: fc.constantFrom(null, V51, V52),
    work: fc.constantFrom(null, V51, V52),
    phase: fc.constantFrom(null, ...UPDATE_PHASES),
    since: fc.option(fc.integer({ min: NOW - 86_400_000, max: NOW })),
    attempt: fc.integer({ min: 0, max: 6 }),
    nextAttemptAt: fc.option(fc.integer({ min: NOW - 3_600_000, max: NOW + 3_600_000 })),
    verified: fc.boolean(),
    running: fc.constantFrom('1.0.45', '1.0.51', '1.0.52', null),
    deferUntil: fc.option(fc.integer({ min: NOW - 60_000, max: NOW + 86_400_000 })),
  });
  type Generated = typeof arbitraryInput extends fc.Arbitrary<infer T> ? T : never;
  const toInput = (a: Generated) =>
    input(
      { serverTarget: a.serverTarget, work: a.work, phase: a.phase, since: a.since, attempt: a.attempt, nextAttemptAt: a.nextAttemptAt, verified: a.verified },
      { running: { agentVersion: a.running, imageVersion: null }, deferUntil: a.deferUntil },
    );

  it('never starts a download or an install inside a deferral window', () => {
    fc.assert(
      fc.property(arbitraryInput, (a) => {
        const given = toInput(a);
        const step = decide(given);
        if (given.deferUntil !== null && given.deferUntil > NOW) expect(['download', 'install']).not.toContain(step.kind);
      }),
    );
  });

  it('never waits for a time already past, so the agent cannot spin', () => {
    fc.assert(
      fc.property(arbitraryInput, (a) => {
        const step = decide(toInput(a));
        if (step.kind === 'wait' || step.kind === 'defer') expect(step.until).toBeGreaterThan(NOW);
      }),
    );
  });

  it('never starts an attempt beyond maxAttempts', () => {
    fc.assert(
      fc.property(arbitraryInput, (a) => {
        const step = decide(toInput(a));
        if (step.kind === 'download') expect(step.attempt).toBeLessThanOrEqual(Math.max(3, a.attempt));
        if (step.kind === 'download' && a.phase === 'failed') expect(step.attempt).toBeLessThanOrEqual(3);
      }),
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(arbitraryInput, (a) => {
        expect(decide(toInput(a))).toEqual(decide(toInput(a)));
      }),
    );
  });
});
