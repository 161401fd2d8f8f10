import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { GitSource } from '../../controller/sources/git-source.js';
import { TrackedSource } from '../../controller/sources/revision-tracker.js';
import type { Source } from '../../controller/sources/source.js';
import { appliance, docs, release, rollout } from '../desired/fleet-builders.js';
import { createGitFixture, type GitFixture } from './git-repos.js';
import { ManualClock } from '../helpers/manual-clock.js';

const INTERVAL = 60_000;
const BACKOFF = { baseMs: 5_000, maxMs: 40_000 };

const good = { 'appliances.yaml': docs(appliance('a-01'), appliance('a-02')), 'releases/v1.0.0.yaml': release('v1.0.0') };
const bad = { 'rollouts/v1.0.1.yaml': rollout('v1.0.1') }; // names a Release nobody declared

let fixtures: GitFixture[] = [];
let sources: Source[] = [];
afterEach(async () => {
  await Promise.all(sources.map((s) => s.stop()));
  for (const f of fixtures) f.cleanup();
  fixtures = [];
  sources = [];
});

async function setup(options: { branch?: string; revision?: string } = {}) {
  const git = await createGitFixture();
  fixtures.push(git);
  const clock = new ManualClock();
  const source = new GitSource({ url: git.url, cacheDir: join(git.root, 'cache'), clock, intervalMs: INTERVAL, backoff: BACKOFF, ...options });
  sources.push(source);
  const tracked = new TrackedSource(source, clock);
  return { git, clock, source, tracked };
}

/** Resolves after the source's next fetch attempt, whatever started it. */
function nextFetch(source: Source): Promise<void> {
  return new Promise((resolve) => {
    const off = source.onFetch(() => {
      off();
      resolve();
    });
  });
}

describe('git source', () => {
  test('a commit is picked up: its SHA is the revision and its files the desired state', async () => {
    const { git, tracked } = await setup();
    const sha = await git.commit(good);
    await tracked.start();
    expect(tracked.status()).toMatchObject({ kind: 'git', fetchedRevision: sha, lastAppliedRevision: sha, lastAttemptedRevision: sha, errors: [], fetchError: null });
    expect(tracked.current()?.revision).toBe(sha);
    expect(tracked.current()?.appliances.map((a) => a.name)).toEqual(['a-01', 'a-02']);
  });

  test('a new commit is fetched when the interval has passed, not before', async () => {
    const { git, clock, source, tracked } = await setup();
    await git.commit(good);
    await tracked.start();
    const second = await git.commit({ 'appliances.yaml': docs(appliance('a-01'), appliance('a-02'), appliance('a-03')) });
    expect(clock.delays()).toEqual([INTERVAL]);
    clock.advance(INTERVAL - 1);
    expect(tracked.status().lastAppliedRevision).not.toBe(second);
    const fetched = nextFetch(source);
    clock.advance(1);
    await fetched;
    expect(tracked.status().lastAppliedRevision).toBe(second);
    expect(tracked.current()?.appliances).toHaveLength(3);
  });

  test('a bad commit is rejected with its SHA and errors; the good one stays; a fix is taken', async () => {
    const { git, tracked } = await setup();
    const goodSha = await git.commit(good);
    await tracked.start();
    const changes: string[] = [];
    tracked.onChange((c) => changes.push(c.outcome));

    const badSha = await git.commit(bad, 'roll out a release that does not exist');
    await tracked.sync();
    expect(tracked.status()).toMatchObject({ lastAppliedRevision: goodSha, lastAttemptedRevision: badSha });
    expect(tracked.status().errors).toEqual([
      { file: 'rollouts/v1.0.1.yaml', line: 6, column: 12, path: 'spec.release', message: 'Release `v1.0.1` is not declared (declared: v1.0.0)' },
    ]);
    expect(tracked.current()?.revision).toBe(goodSha);

    const fixSha = await git.commit({ 'releases/v1.0.1.yaml': release('v1.0.1') }, 'declare the release');
    await tracked.sync();
    expect(tracked.status()).toMatchObject({ lastAppliedRevision: fixSha, lastAttemptedRevision: fixSha, errors: [] });
    expect(tracked.current()?.rollouts.map((r) => r.name)).toEqual(['v1.0.1']);
    expect(changes).toEqual(['rejected', 'applied']);
  });

  test('a force-push that rewinds the branch is followed', async () => {
    const { git, tracked } = await setup();
    const first = await git.commit(good);
    await tracked.start();
    const second = await git.commit({ 'releases/v1.0.1.yaml': release('v1.0.1') });
    await tracked.sync();
    expect(tracked.status().lastAppliedRevision).toBe(second);

    await git.work.raw(['reset', '--hard', first]);
    await git.work.push('origin', 'main', ['--force']);
    await tracked.sync();
    expect(tracked.status()).toMatchObject({ lastAppliedRevision: first, lastAttemptedRevision: first, errors: [] });
    expect(tracked.current()?.releases.map((r) => r.name)).toEqual(['v1.0.0']);

    // A rewritten history on top of the rewind is followed too.
    const rewritten = await git.commit({ 'releases/v1.0.2.yaml': release('v1.0.2') }, 'another path');
    await tracked.sync();
    expect(tracked.status().lastAppliedRevision).toBe(rewritten);
    expect(tracked.current()?.releases.map((r) => r.name)).toEqual(['v1.0.0', 'v1.0.2']);
  });

  test('an unreachable remote keeps the last good revision, says why, and retries on backoff', async () => {
    const { git, clock, source, tracked } = await setup();
    const sha = await git.commit(good);
    await tracked.start();
    renameSync(git.remoteDir, `${git.remoteDir}.gone`);

    await tracked.sync();
    const status = tracked.status();
    expect(status.lastAppliedRevision).toBe(sha);
    expect(tracked.current()?.revision).toBe(sha);
    expect(status.fetchError).toMatchObject({ failures: 1, at: clock.date().toISOString(), retryAt: new Date(clock.now() + 5_000).toISOString() });
    expect(status.fetchError?.message).toMatch(/does not appear to be a git repository|not found|No such file/i);
    expect(clock.delays()).toEqual([5_000]);

    // Each failure doubles the wait, up to the cap.
    for (const [failures, wait] of [[2, 10_000], [3, 20_000], [4, 40_000], [5, 40_000]] as const) {
      const fetched = nextFetch(source);
      clock.advance(clock.delays()[0] as number);
      await fetched;
      expect(tracked.status().fetchError?.failures).toBe(failures);
      expect(clock.delays()).toEqual([wait]);
    }

    renameSync(`${git.remoteDir}.gone`, git.remoteDir);
    const newer = await git.commit({ 'releases/v1.0.1.yaml': release('v1.0.1') });
    const fetched = nextFetch(source);
    clock.advance(40_000);
    await fetched;
    expect(tracked.status()).toMatchObject({ fetchError: null, lastAppliedRevision: newer });
    expect(clock.delays()).toEqual([INTERVAL]);
  });

  test('a pinned revision stays put while the branch moves', async () => {
    const git = await createGitFixture();
    fixtures.push(git);
    const pinned = await git.commit(good);
    await git.commit({ 'releases/v1.0.1.yaml': release('v1.0.1') });
    const clock = new ManualClock();
    const source = new GitSource({ url: git.url, cacheDir: join(git.root, 'cache'), revision: pinned, clock, intervalMs: INTERVAL });
    sources.push(source);
    const tracked = new TrackedSource(source, clock);
    await tracked.start();
    await git.commit({ 'releases/v1.0.2.yaml': release('v1.0.2') });
    await tracked.sync();
    expect(tracked.status().lastAppliedRevision).toBe(pinned);
    expect(tracked.current()?.releases.map((r) => r.name)).toEqual(['v1.0.0']);
  });

  test('a named branch is followed, not the default one', async () => {
    const { git, tracked, source } = await setup({ branch: 'production' });
    await git.commit(good);
    const prod = await git.commit({ 'releases/v2.0.0.yaml': release('v2.0.0') }, 'production only', 'production');
    await git.work.raw(['checkout', 'main']);
    await git.commit({ 'releases/v9.0.0.yaml': release('v9.0.0') }, 'main moves on');
    await tracked.start();
    expect(source.status().fetchedRevision).toBe(prod);
    expect(tracked.current()?.releases.map((r) => r.name)).toEqual(['v1.0.0', 'v2.0.0']);
  });

  test('a branch the remote lacks is a fetch error, not a revision', async () => {
    const { git, tracked } = await setup({ branch: 'nope' });
    await git.commit(good);
    await tracked.start();
    expect(tracked.status()).toMatchObject({ lastAppliedRevision: null, lastAttemptedRevision: null, fetchedRevision: null });
    expect(tracked.status().fetchError?.message).toMatch(/nope/);
    expect(tracked.current()).toBeNull();
  });
});
