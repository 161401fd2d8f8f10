import { describe, expect, test } from 'vitest';
import { loadFleetFiles } from '../../controller/desired/load.js';
import { misconfiguredFindings, resolveNotifier } from '../../controller/notify/secrets.js';
import { notifier } from '../notify/builders.js';

const load = (text: string) => loadFleetFiles([{ path: 'notifiers/hook.yaml', content: text }], 'r');

/** A Notifier document with these spec lines (indented under `spec:`). */
const doc = (...spec: string[]) => ['apiVersion: muster.dev/v1alpha1', 'kind: Notifier', 'metadata:', '  name: hook', 'spec:', ...spec.map((l) => `  ${l}`), ''].join('\n');

describe('the Notifier kind', () => {
  test('defaults: every finding, the four default phases, a 10 s timeout, giving up after a day', () => {
    const result = load(doc('format: json', 'urlFrom:', '  env: HOOK_URL'));
    expect(result.ok ? result.state.notifiers : result.errors).toEqual([
      {
        name: 'hook',
        format: 'json',
        urlFrom: { env: 'HOOK_URL' },
        secretFrom: null,
        on: { findings: null, severities: null, rollouts: ['Stalled', 'Paused', 'Aborted', 'Complete'] },
        quietPeriodMs: 0,
        timeoutMs: 10_000,
        giveUpAfterMs: 86_400_000,
      },
    ]);
  });

  test.each([
    { name: 'an unknown format', given: ['format: teams', 'urlFrom:', '  env: U'], want: { path: 'spec.format', line: 6, column: 11, message: 'must be one of json, slack' } },
    { name: 'a URL written in git', given: ['format: json', 'url: https://hooks.example/x', 'urlFrom:', '  env: U'], want: { path: 'spec.url', line: 7, column: 3, message: 'unknown field' } },
    { name: 'urlFrom missing', given: ['format: json'], want: { path: 'spec.urlFrom', line: 5, column: 1, message: 'urlFrom' } },
    { name: 'urlFrom naming both', given: ['format: json', 'urlFrom:', '  env: U', '  file: /f'], want: { path: 'spec.urlFrom', line: 7, column: 3, message: 'not both' } },
    { name: 'urlFrom naming neither', given: ['format: json', 'urlFrom: {}'], want: { path: 'spec.urlFrom', line: 7, column: 3, message: 'must name an environment variable (env) or a file (file)' } },
    { name: 'a bad variable name', given: ['format: json', 'urlFrom:', '  env: 1URL'], want: { path: 'spec.urlFrom.env', line: 8, column: 10 } },
    { name: 'an unknown phase', given: ['format: json', 'urlFrom:', '  env: U', 'on:', '  rollouts: [Stalled, Stuck]'], want: { path: 'spec.on.rollouts[1]', line: 10, column: 25, message: 'Stuck' } },
    { name: 'an unknown severity', given: ['format: json', 'urlFrom:', '  env: U', 'on:', '  severities: [critical]'], want: { path: 'spec.on.severities[0]', line: 10, column: 18 } },
    { name: 'a type listed twice', given: ['format: json', 'urlFrom:', '  env: U', 'on:', '  findings: [RolloutStalled, RolloutStalled]'], want: { path: 'spec.on.findings[1]', line: 10, column: 32, message: 'listed twice' } },
    { name: 'a key for a slack webhook', given: ['format: slack', 'urlFrom:', '  env: U', 'secretFrom:', '  env: K'], want: { path: 'spec.secretFrom', line: 9, column: 3, message: 'json bodies only' } },
    { name: 'a zero timeout', given: ['format: json', 'urlFrom:', '  env: U', 'timeout: 0s'], want: { path: 'spec.timeout', line: 9, column: 12, message: 'longer than 0s' } },
  ])('$name is an error at its position', ({ given, want }) => {
    const result = load(doc(...given));
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors).toEqual([expect.objectContaining({ file: 'notifiers/hook.yaml', ...want, ...(want.message ? { message: expect.stringContaining(want.message) } : {}) })]);
  });
});

describe("a notifier's secrets", () => {
  const reader = (env: Record<string, string | undefined>, files: Record<string, string> = {}) => ({
    env: (name: string) => env[name],
    file: (path: string) => {
      if (!(path in files)) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
      return files[path] as string;
    },
  });

  test.each([
    { name: 'from the environment', given: { n: notifier('a'), env: { HOOK_URL: 'https://h.example/x' } }, want: { ok: true, url: 'https://h.example/x', key: null } },
    { name: 'from a file, trimmed', given: { n: notifier('a', { urlFrom: { file: '/run/url' } }), env: {}, files: { '/run/url': 'https://h.example/y\n' } }, want: { ok: true, url: 'https://h.example/y', key: null } },
    { name: 'with its key', given: { n: notifier('a', { secretFrom: { env: 'K' } }), env: { HOOK_URL: 'https://h.example/x', K: 's3cret' } }, want: { ok: true, url: 'https://h.example/x', key: 's3cret' } },
    { name: 'a variable not set', given: { n: notifier('a'), env: {} }, want: { ok: false, problem: 'urlFrom: environment variable HOOK_URL is not set or empty' } },
    { name: 'a file missing', given: { n: notifier('a', { urlFrom: { file: '/run/url' } }), env: {} }, want: { ok: false, problem: 'urlFrom: cannot read /run/url (ENOENT)' } },
    { name: 'a key missing', given: { n: notifier('a', { secretFrom: { env: 'K' } }), env: { HOOK_URL: 'https://h.example/x' } }, want: { ok: false, problem: 'secretFrom: environment variable K is not set or empty' } },
    { name: 'not a URL (its value is never shown)', given: { n: notifier('a'), env: { HOOK_URL: 'hunter2' } }, want: { ok: false, problem: 'urlFrom: the value is not a valid URL' } },
  ])('$name', ({ given, want }) => {
    expect(resolveNotifier(given.n, reader(given.env, given.files))).toEqual(want);
  });

  test('a notifier that cannot send is a NotifierMisconfigured error naming it and why', () => {
    const findings = misconfiguredFindings([notifier('a'), notifier('b', { urlFrom: { env: 'SET' } })], (n) => resolveNotifier(n, reader({ SET: 'https://h.example' })));
    expect(findings).toEqual([
      { type: 'NotifierMisconfigured', severity: 'error', policy: 'a', message: 'Notifier a cannot send: urlFrom: environment variable HOOK_URL is not set or empty; its events wait in the outbox' },
    ]);
  });
});
