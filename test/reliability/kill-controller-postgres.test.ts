import { afterEach, describe, it } from 'vitest';
import { runCleanups, type Cleanups } from './harness.js';
import { KILL_TIMEOUT_MS, killRun } from './kill-run.js';

const cleanups: Cleanups = [];
afterEach(() => runCleanups(cleanups));

describe('kill -9 of the controller during a rollout, on PostgreSQL', () => {
  it('keeps every invariant after every kill and ends as an uninterrupted run', async () => {
    await killRun(cleanups, 'PostgreSQL', 0);
  }, KILL_TIMEOUT_MS);
});
