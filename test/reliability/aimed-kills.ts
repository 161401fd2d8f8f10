import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FailpointName } from '../../controller/failpoints.js';
import type { GitFixture } from '../sources/git-repos.js';
import type { ControllerProcess } from './controller-process.js';
import { seedExpiringProofs } from './expiring-proofs.js';

/** The steps a kill is aimed at, each a fail point of the controller (see controller/failpoints.ts). */
export const AIMED_STEPS: readonly FailpointName[] = ['plan-apply', 'group-commit', 'proof-expiry-batch', 'git-fetch'];

/** More proofs than one batch of the expiry rewrite (5,000): the kill lands between the first and the second. */
const PROOFS_PAST_ONE_BATCH = 6_000;

/** A controller's arming for one aimed kill: its environment, and the file it writes when it dies at the point. */
export interface Arming {
  step: FailpointName;
  env: Record<string, string>;
  marker: string;
}

/**
 * Arms `step` for the next controller started, its marker file in `dir` (one per kill, numbered `n`).
 * A group commit is killed at a random one of its first ten; a git fetch at the second new commit,
 * the first being the fetch every start makes.
 */
export function arm(step: FailpointName, dir: string, n: number, random: () => number): Arming {
  const at = step === 'group-commit' ? 1 + Math.floor(random() * 10) : step === 'git-fetch' ? 2 : 1;
  const marker = join(dir, `failpoint-${n}`);
  return { step, marker, env: { MUSTER_FAILPOINTS: `${step}:${at}`, MUSTER_FAILPOINTS_MARKER: marker } };
}

/** What the controller's step needs from outside to happen: the store it uses and its git remote. */
export interface Provocation {
  db: string;
  git: GitFixture;
}

/**
 * Makes the armed controller reach its step until it dies there (plan apply: the rollout's actions,
 * or after 7.5 s proofs to expire; proof expiry: more than a batch of them, which expire at the next
 * pass or after the next minute boundary; git fetch: a new commit; group commit: the fleet's
 * check-ins, always arriving). Resolves with null when
 * it died at the step — ended by SIGKILL, and the marker it wrote just before names the step — or with
 * a sentence saying what happened instead (killed by the caller after `timeoutMs`).
 */
export async function killAt(controller: ControllerProcess, arming: Arming, provocation: Provocation, timeoutMs: number): Promise<string | null> {
  let ended: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  void controller.exit.then((exit) => (ended = exit));
  const deadline = Date.now() + timeoutMs;
  for (let round = 1; ended === null && Date.now() < deadline; round += 1) {
    await provoke(arming.step, provocation, round);
    await Promise.race([controller.exit, sleep(arming.step === 'proof-expiry-batch' ? 5_000 : 1_500)]);
  }
  if (ended === null) {
    await controller.kill();
    return `${arming.step} was not reached within ${timeoutMs} ms`;
  }
  const { code, signal } = ended as { code: number | null; signal: NodeJS.Signals | null };
  if (signal !== 'SIGKILL') return `aimed at ${arming.step}, the controller ended with ${signal ?? `exit code ${code}`} instead`;
  const line = existsSync(arming.marker) ? readFileSync(arming.marker, 'utf8').trim() : '';
  if (!line.startsWith(`${arming.step} `)) return `aimed at ${arming.step}, the controller was killed elsewhere (marker: "${line}")`;
  return null;
}

async function provoke(step: FailpointName, { db, git }: Provocation, round: number): Promise<void> {
  // The rollout's own actions, normally (plan-apply kills come first in a run, while it is going on).
  if (step === 'plan-apply' && round % 5 === 0) await seedExpiringProofs(db, 10);
  if (step === 'proof-expiry-batch' && round % 4 === 1) await seedExpiringProofs(db, PROOFS_PAST_ONE_BATCH);
  if (step === 'git-fetch') await git.commit({ 'NOTES.md': `push ${Date.now()}\n` }, 'a commit that changes no YAML');
}
