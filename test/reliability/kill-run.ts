import { expect } from 'vitest';
import { createTestDatabase } from '../helpers/pg.js';
import { AIMED_STEPS } from './aimed-kills.js';
import type { Cleanups } from './harness.js';
import { declaredEndState, killedRollout } from './killed-rollout.js';
import { LONG, recordFigures, runs } from './scale.js';

export const KILL_TIMEOUT_MS = LONG ? 24 * 3_600_000 : 120_000;

/**
 * One kill -9 run on `store` with the scale of this mode, its figures recorded: kills at random
 * moments and kills aimed at each named step (plan apply, group commit, proof expiry batch, git
 * fetch), every aimed one required to have landed at its step. The end state is compared with an
 * uninterrupted run of the same fleet in the long version, and with the declared one (every appliance
 * on the new release; what the uninterrupted run reaches) in the short one.
 */
export async function killRun(cleanups: Cleanups, store: 'SQLite' | 'PostgreSQL', badPushes: number): Promise<void> {
  const appliances = runs('appliances', 12, 1_000);
  let expected = declaredEndState(appliances);
  if (LONG) {
    const quiet = await killedRollout(cleanups, { db: null, appliances, kills: 0, maxKillDelayMs: 0 });
    recordFigures('rollout-uninterrupted', { appliances, seconds: quiet.seconds, broken: quiet.broken });
    expected = quiet.endState;
  }
  let db: string | null = null;
  if (store === 'PostgreSQL') {
    const pg = await createTestDatabase();
    cleanups.push(pg.drop);
    db = pg.url;
  }
  const aimed = runs('aimed', 1, 40);
  const run = await killedRollout(cleanups, {
    db, appliances, kills: runs('kills', 1, 40), aimed, aimedTimeoutMs: LONG ? 90_000 : 30_000, badPushes, maxKillDelayMs: 1_500,
  });
  const { endState, ...figures } = run;
  recordFigures(`kill-controller-${store}`, { appliances, ...figures, sameEndState: JSON.stringify(endState) === JSON.stringify(expected) });
  expect(run.broken).toEqual([]);
  expect(run.aimedKills).toEqual(Object.fromEntries(AIMED_STEPS.map((step) => [step, aimed])));
  expect(run.checkinsAcked).toBeGreaterThan(0);
  expect(endState).toEqual(expected);
}
