import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { GitSource } from '../../controller/sources/git-source.js';
import { TrackedSource } from '../../controller/sources/revision-tracker.js';
import { appliance, docs } from '../desired/fleet-builders.js';
import { createGitFixture, type GitFixture } from './git-repos.js';
import { ManualClock } from '../helpers/manual-clock.js';

let fixture: GitFixture | null = null;
let source: GitSource | null = null;
afterEach(async () => {
  await source?.stop();
  fixture?.cleanup();
});

describe('git source: who made a revision', () => {
  test('the applied desired state carries its commit author, time and subject', async () => {
    fixture = await createGitFixture();
    const clock = new ManualClock();
    source = new GitSource({ url: fixture.url, cacheDir: join(fixture.root, 'cache'), clock, intervalMs: 60_000, backoff: { baseMs: 5_000, maxMs: 40_000 } });
    const tracked = new TrackedSource(source, clock);
    const sha = await fixture.commit({ 'appliances.yaml': docs(appliance('a-01')) }, 'Declare a-01');
    await tracked.start();
    const current = tracked.current();
    expect(current?.revision).toBe(sha);
    expect(current?.commit).toMatchObject({ author: 'Fleet Engineer <fleet@example.com>', subject: 'Declare a-01' });
    expect(Number.isNaN(Date.parse(current?.commit?.committedAt ?? ''))).toBe(false);
  });
});
