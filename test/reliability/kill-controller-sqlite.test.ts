import { afterEach, describe, it } from 'vitest';
import { runCleanups, type Cleanups } from './harness.js';
import { KILL_TIMEOUT_MS, killRun } from './kill-run.js';
import { runs } from './scale.js';

const cleanups: Cleanups = [];
afterEach(() => runCleanups(cleanups));

describe('kill -9 of the controller during a rollout, on SQLite, with bad YAML pushed now and then', () => {
  it('keeps every invariant after every kill, keeps acting on the last good revision, and ends as an uninterrupted run', async () => {
    await killRun(cleanups, 'SQLite', runs('bad_pushes', 2, 50));
  }, KILL_TIMEOUT_MS);
});
