import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { loadFleetFiles } from '../../controller/desired/load.js';
import { loadFleetDirectory } from '../../controller/desired/load-directory.js';
import type { DesiredState } from '../../controller/desired/types.js';
import { appliance, docs, files, fleet, otsPolicy, release, retention, rollout } from './fleet-builders.js';

function load(tree: Record<string, string>, revision = 'rev-1'): DesiredState {
  const result = loadFleetFiles(files(tree), revision);
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.path}: ${e.message}`).join('\n'));
  return result.state;
}

describe('fleet settings', () => {
  test.each<{ name: string; given: Record<string, string>; want: object }>([
    { name: 'no Fleet: 60s, offline after 3 intervals', given: {}, want: { name: null, checkinIntervalMs: 60_000, offlineAfterMs: 180_000 } },
    { name: 'interval only: offline after 3 of them', given: { 'f.yaml': fleet({ checkinInterval: '30s' }) }, want: { name: 'main', checkinIntervalMs: 30_000, offlineAfterMs: 90_000 } },
    { name: 'empty spec: the defaults', given: { 'f.yaml': fleet({}) }, want: { name: 'main', checkinIntervalMs: 60_000, offlineAfterMs: 180_000 } },
    { name: 'both set', given: { 'f.yaml': fleet({ checkinInterval: '2m', offlineAfter: '1h30m' }) }, want: { name: 'main', checkinIntervalMs: 120_000, offlineAfterMs: 5_400_000 } },
  ])('$name', ({ given, want }) => {
    expect(load(given).fleet).toEqual(want);
  });
});

describe('rollouts', () => {
  test('defaults: 2h deadline, no failures tolerated, pause, not paused, no window or limit', () => {
    const [r] = load({ 'r.yaml': docs(release('v1.0.0'), rollout('v1.0.0', { stages: [{ percent: 10, soak: '90s' }, { percent: 100 }] })) }).rollouts;
    expect(r).toMatchObject({
      name: 'v1.0.0',
      release: 'v1.0.0',
      selector: null,
      stages: [
        { percent: 10, soakMs: 90_000 },
        { percent: 100, soakMs: 0 },
      ],
      progressDeadlineMs: 7_200_000,
      maxConcurrent: null,
      failurePolicy: { maxFailures: 0, action: 'pause' },
      window: null,
      paused: false,
    });
    expect(r?.raw).toMatchObject({ progressDeadline: '2h', failurePolicy: { maxFailures: 0, action: 'pause' }, paused: false });
  });

  test('a window in minutes after local midnight', () => {
    const window = { days: ['fri', 'sat'], start: '22:30', end: '05:15', timeZone: 'Europe/Berlin' };
    const [r] = load({ 'r.yaml': docs(release('v1.0.0'), rollout('v1.0.0', { window })) }).rollouts;
    expect(r?.window).toEqual({ days: ['fri', 'sat'], startMinute: 22 * 60 + 30, endMinute: 5 * 60 + 15, timeZone: 'Europe/Berlin' });
  });

  test.each([
    { name: 'writing the defaults out changes nothing', a: {}, b: { progressDeadline: '2h', failurePolicy: { maxFailures: 0, action: 'pause' }, paused: false }, same: true },
    { name: 'a partial failure policy is completed', a: { failurePolicy: {} }, b: { failurePolicy: { action: 'pause' } }, same: true },
    { name: 'pausing changes the hash', a: {}, b: { paused: true }, same: false },
    { name: 'a new stage changes the hash', a: {}, b: { stages: [{ percent: 50 }, { percent: 100 }] }, same: false },
    { name: 'another action changes the hash', a: {}, b: { failurePolicy: { action: 'abort' } }, same: false },
  ])('specHash: $name', ({ a, b, same }) => {
    const hash = (spec: Record<string, unknown>) => load({ 'r.yaml': docs(release('v1.0.0'), rollout('v1.0.0', spec)) }).rollouts[0]?.specHash;
    expect(hash(a)).toMatch(/^[0-9a-f]{64}$/);
    expect(hash(a) === hash(b)).toBe(same);
  });
});

describe('retention policies', () => {
  const expectedHash = (p: object) => createHash('sha256').update(JSON.stringify(p)).digest('hex');

  test('defaults: keep unresolved, prune daily, vacuum, 30 days of check-ins', () => {
    const [p] = load({ 'p.yaml': retention('r', { incidents: { retainDays: 30 } }) }).retentionPolicies;
    expect(p).toEqual({
      name: 'r',
      selector: null,
      incidents: { retainDays: 30, keepUnresolved: true, pruneEveryMs: 86_400_000, vacuum: true },
      maxDatabaseBytes: null,
      checkinHistoryRetainDays: 30,
      // Keys sorted, compact: the agent computes the same text.
      policyHash: expectedHash({ keepUnresolved: true, pruneEverySeconds: 86_400, retainDays: 30, vacuum: true }),
    });
  });

  test.each([
    { size: '2Gi', bytes: 2 * 1024 ** 3 },
    { size: '512Mi', bytes: 512 * 1024 ** 2 },
    { size: '500M', bytes: 500_000_000 },
    { size: 1_048_576, bytes: 1_048_576 },
  ])('maxDatabaseBytes $size is $bytes bytes', ({ size, bytes }) => {
    expect(load({ 'p.yaml': retention('r', { maxDatabaseBytes: size }) }).retentionPolicies[0]?.maxDatabaseBytes).toBe(bytes);
  });

  test('explicit values and their hash', () => {
    const spec = { selector: { matchLabels: { site: 'lab' } }, incidents: { retainDays: 7, keepUnresolved: false, pruneEvery: '6h', vacuum: false }, checkinHistory: { retainDays: 90 } };
    const [p] = load({ 'p.yaml': retention('r', spec) }).retentionPolicies;
    expect(p).toMatchObject({ selector: { matchLabels: { site: 'lab' } }, incidents: { retainDays: 7, keepUnresolved: false, pruneEveryMs: 21_600_000, vacuum: false }, checkinHistoryRetainDays: 90 });
    expect(p?.policyHash).toBe(expectedHash({ keepUnresolved: false, pruneEverySeconds: 21_600, retainDays: 7, vacuum: false }));
  });
});

describe('OTS policy', () => {
  test('defaults: expire after 7d, upgrade hourly in batches of 500', () => {
    expect(load({ 'o.yaml': otsPolicy('default') }).otsPolicy).toEqual({
      name: 'default',
      calendars: ['https://alice.btc.calendar.opentimestamps.org'],
      expireAfterMs: 7 * 86_400_000,
      upgradeEveryMs: 3_600_000,
      upgradeBatch: 500,
    });
  });

  test('explicit values', () => {
    const policy = load({ 'o.yaml': otsPolicy('p', { expireAfter: '14d', upgradeEvery: '10m', upgradeBatch: 50, alertPendingAbove: 0 }) }).otsPolicy;
    expect(policy).toMatchObject({ expireAfterMs: 14 * 86_400_000, upgradeEveryMs: 600_000, upgradeBatch: 50, alertPendingAbove: 0 });
  });

  test('absent: null', () => {
    expect(load({}).otsPolicy).toBeNull();
  });
});

describe('ordering and identity', () => {
  const tree = {
    'z/appliances.yaml': docs(appliance('b-2', { site: 'b' }), appliance('a-1')),
    'a/releases.yaml': docs(release('v1.0.10'), release('v1.0.9')),
    'm/rollouts.yaml': docs(rollout('v1.0.9'), rollout('v1.0.10')),
  };

  test('arrays sorted by name, objects in path order with their source', () => {
    const state = load(tree);
    expect(state.appliances.map((a) => a.name)).toEqual(['a-1', 'b-2']);
    expect(state.releases.map((r) => r.name)).toEqual(['v1.0.10', 'v1.0.9']);
    expect(state.rollouts.map((r) => r.name)).toEqual(['v1.0.10', 'v1.0.9']);
    expect(state.objects.map((o) => `${o.source.file}:${o.source.line} ${o.kind}/${o.name}`)).toEqual([
      'a/releases.yaml:1 Release/v1.0.10',
      'a/releases.yaml:12 Release/v1.0.9',
      'm/rollouts.yaml:1 Rollout/v1.0.9',
      'm/rollouts.yaml:10 Rollout/v1.0.10',
      'z/appliances.yaml:1 Appliance/b-2',
      'z/appliances.yaml:8 Appliance/a-1',
    ]);
    expect(state.appliances[1]).toEqual({ name: 'b-2', labels: { site: 'b' } });
    expect(state.appliances[0]).toEqual({ name: 'a-1', labels: {} });
  });

  test('the order files are given in does not matter; the revision is the one given', () => {
    const forward = loadFleetFiles(files(tree), 'abc');
    const backward = loadFleetFiles(files(tree).reverse(), 'abc');
    expect(backward).toEqual(forward);
    expect(forward.ok && forward.state.revision).toBe('abc');
  });

  test('errors come sorted by file, line and column', () => {
    const result = loadFleetFiles(files({ 'b.yaml': appliance('B'), 'a.yaml': docs(appliance('Z'), appliance('Y')) }), 'r');
    expect(result.ok ? [] : result.errors.map((e) => `${e.file}:${e.line}`)).toEqual(['a.yaml:4', 'a.yaml:9', 'b.yaml:4']);
  });

  test('an invalid repository gives errors and no state', () => {
    const result = loadFleetFiles(files({ 'a.yaml': appliance('A') }), 'r');
    expect(result).toEqual({ ok: false, errors: [expect.objectContaining({ file: 'a.yaml', path: 'metadata.name' })] });
    expect('state' in result).toBe(false);
  });
});

describe('the example and fixture fleets', () => {
  test('fleet-repo-example declares a fleet, 12 appliances, 3 releases and rollouts, retention and OTS', async () => {
    const result = await loadFleetDirectory('fleet-repo-example');
    expect(result.ok ? [] : result.errors).toEqual([]);
    if (!result.ok) return;
    const { state } = result;
    expect(state.appliances).toHaveLength(12);
    expect(state.releases.map((r) => r.name)).toEqual(['v1.0.45', 'v1.0.49', 'v1.0.51']);
    expect(state.rollouts.map((r) => r.name)).toEqual(['v1.0.45', 'v1.0.49', 'v1.0.51']);
    expect(state.rollouts.find((r) => r.name === 'v1.0.51')?.window).not.toBeNull();
    expect(state.retentionPolicies[0]?.incidents.retainDays).toBe(30);
    expect(state.otsPolicy?.calendars).toEqual([
      'https://alice.btc.calendar.opentimestamps.org',
      'https://bob.btc.calendar.opentimestamps.org',
      'https://finney.calendar.eternitywall.com',
    ]);
    expect(state.revision).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test.each([
    { dir: 'test/fixtures/valid/minimal', objects: 1 },
    { dir: 'test/fixtures/valid/defaults', objects: 4 },
    { dir: 'test/fixtures/valid/full', objects: 11 },
    { dir: 'test/fixtures/valid/empty', objects: 0 },
  ])('$dir is valid with $objects objects', async ({ dir, objects }) => {
    const result = await loadFleetDirectory(dir);
    expect(result.ok ? result.state.objects.length : result.errors).toEqual(objects);
  });
});
