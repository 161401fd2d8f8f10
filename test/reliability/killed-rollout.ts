import { systemClock } from '../../lib/clock.js';
import type { FailpointName } from '../../controller/failpoints.js';
import { createHttpFetch, type FetchLike } from '../../agent/protocol/http-fetch.js';
import { startSimulator } from '../../agent/simulator/simulator.js';
import { openMigratedStore } from '../../controller/store/open-store.js';
import type { Store } from '../../controller/store/store.js';
import { releaseYaml } from '../helpers/fleet.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/tmp.js';
import { createGitFixture } from '../sources/git-repos.js';
import { AIMED_STEPS, arm, killAt, type Arming } from './aimed-kills.js';
import { spawnController, freePort, type ControllerProcess } from './controller-process.js';
import type { Cleanups } from './harness.js';
import { brokenInvariants, endState, snapshot, type SentCheckin } from './store-invariants.js';

/** A fleet of `size` appliances on v1.0.49 and a three-stage rollout of v1.0.51, one-second check-ins. */
export function rolloutFleet(size: number): Record<string, string> {
  const ids = fleetIds(size);
  return {
    'fleet.yaml': 'apiVersion: muster.dev/v1alpha1\nkind: Fleet\nmetadata:\n  name: chaos\nspec:\n  checkinInterval: 1s\n  offlineAfter: 10m\n',
    'appliances.yaml': ids.map((id) => `apiVersion: muster.dev/v1alpha1\nkind: Appliance\nmetadata:\n  name: ${id}\n  labels:\n    site: ${id.slice(0, 6)}\n`).join('---\n'),
    'releases/v1.0.49.yaml': releaseYaml('v1.0.49', '1.0.49'),
    'releases/v1.0.51.yaml': releaseYaml('v1.0.51', '1.0.51'),
    'rollouts/v1.0.51.yaml': [
      'apiVersion: muster.dev/v1alpha1', 'kind: Rollout', 'metadata:', '  name: v1.0.51', 'spec:', '  release: v1.0.51', '  stages:',
      '    - percent: 25', '      soak: 1s', '    - percent: 50', '      soak: 1s', '    - percent: 100', '  progressDeadline: 1h', '',
    ].join('\n'),
    // Proofs seeded 30 days old expire at the next pass: aimed kills land in their expiry.
    'policies/ots.yaml': 'apiVersion: muster.dev/v1alpha1\nkind: OtsPolicy\nmetadata:\n  name: evidence\nspec:\n  calendars:\n    - https://alice.btc.calendar.opentimestamps.org\n  expireAfter: 7d\n',
  };
}

/** The appliance names of `rolloutFleet(size)`. */
export function fleetIds(size: number): string[] {
  return Array.from({ length: size }, (_, i) => `site-${i % 7}-${String(i + 1).padStart(4, '0')}`);
}

/** Where the rollout of `rolloutFleet(size)` ends when nothing goes wrong: every appliance on v1.0.51. */
export function declaredEndState(size: number): unknown {
  const ids = fleetIds(size);
  return {
    rollouts: [{ name: 'v1.0.51', phase: 'Complete', stage: 3 }],
    assignments: ids.map((id) => `v1.0.51 ${id} v1.0.51`).sort(),
    images: ids.map((id) => `${id} 1.0.51`).sort(),
  };
}

export interface KilledRolloutOptions {
  /** A PostgreSQL URL, or null for a SQLite file in a temp dir. */
  db: string | null;
  appliances: number;
  kills: number;
  /** Longest wait before each kill (the wait is drawn at random up to it). */
  maxKillDelayMs: number;
  random?: () => number;
  /** Commits of bad YAML pushed at random moments too, each removed again by the next fault. */
  badPushes?: number;
  /** Kills aimed at each of AIMED_STEPS with a fail point, besides the `kills` at random moments. */
  aimed?: number;
  /** Longest an aimed kill waits for the controller to reach its step. */
  aimedTimeoutMs?: number;
}

export interface KilledRolloutResult {
  kills: number;
  /** Kills that landed at each aimed step (the controller died there by SIGKILL, its marker naming it). */
  aimedKills: Record<string, number>;
  badPushes: number;
  broken: string[];
  recoveryMs: number[];
  checkinsSent: number;
  checkinsAcked: number;
  /** Check-ins answered with a 5xx status (those the controller could not answer at all are not counted). */
  fiveXx: number;
  endState: unknown;
  seconds: number;
}

/** Files that break a revision: bad YAML, a kind that does not exist, a rollout of an unknown release. */
const BAD_YAML = [
  'apiVersion: muster.dev/v1alpha1\nkind: Rollout\nmetadata:\n  name: [oops\n',
  'kind: Release\nspec: {image: "unterminated\n',
  'apiVersion: muster.dev/v1alpha1\nkind: Nonsense\nmetadata:\n  name: x\n',
  'apiVersion: muster.dev/v1alpha1\nkind: Rollout\nmetadata:\n  name: v9\nspec:\n  release: v9.9.9\n  stages:\n    - percent: 100\n',
];

/**
 * The simulator's random draws: uniform for the first `appliances` (the spread of the first
 * check-ins, drawn first, one per appliance), then a fiftieth of uniform for the agents' backoff
 * jitter. The check-in backoff of an appliance that hit several kills in a row would otherwise grow
 * to minutes (up to 5) and the run would wait on it, which tests the agent's patience, not the
 * controller; with it, a retry comes within 1–6 s. (Shortening the clock's timers does not do it:
 * the agent wakes early, finds its retry not due, and sleeps again.)
 */
function impatientRandom(appliances: number): () => number {
  let draws = 0;
  return () => (++draws <= appliances ? Math.random() : Math.random() / 50);
}

/** A fetch for the simulator that remembers every check-in it sends and whether it was answered 200. */
function recordingFetch(sent: SentCheckin[], tokens: Map<string, string>): { fetch: FetchLike; close: () => Promise<void> } {
  const http = createHttpFetch({ headersTimeoutMs: 5_000 });
  const fetch: FetchLike = async (url, init = {}) => {
    if (!String(url).endsWith('/v1/checkin')) return http.fetch(url, init);
    const token = String((init.headers as Record<string, string>).authorization).replace('Bearer ', '');
    const entry: SentCheckin = { appliance: tokens.get(token) as string, report: JSON.parse(String(init.body)) as Record<string, unknown>, acked: false };
    sent.push(entry);
    const response = await http.fetch(url, init);
    entry.acked = response.status === 200;
    entry.status = response.status;
    return response;
  };
  return { fetch, close: http.close };
}

/** The fleet's git remote, its store (tokens issued) and the appliances' tokens. */
async function prepareFleet(cleanups: Cleanups, options: KilledRolloutOptions) {
  const git = await createGitFixture();
  cleanups.push(() => git.cleanup());
  await git.commit(rolloutFleet(options.appliances), 'fleet and rollout');
  const db = options.db ?? `${git.root}/muster.db`;
  const store = await openMigratedStore(db);
  cleanups.push(() => store.close());
  const tokens = new Map<string, string>();
  for (const id of fleetIds(options.appliances)) tokens.set((await store.issueToken(id)) as string, id);
  return { git, db, store, tokens };
}

/** The simulated fleet checking in at `url`, every check-in recorded in `sent`; stopped by the cleanups. */
function startFleet(cleanups: Cleanups, url: string, tokens: Map<string, string>, sent: SentCheckin[]) {
  const recorder = recordingFetch(sent, tokens);
  const simulator = startSimulator({
    server: url,
    identities: [...tokens].map(([token, appliance]) => ({ appliance, token })),
    profile: { default: 'healthy', rules: [], initialVersion: { agentVersion: '1.0.49', imageVersion: '1.0.49' } },
    clock: systemClock,
    random: impatientRandom(tokens.size),
    speed: 40,
    startSpreadMs: 1_000 * 40,
    fetch: recorder.fetch,
  });
  cleanups.push(() => recorder.close(), () => simulator.stop());
  return simulator;
}

/** Whether the rollout is Complete and all `size` appliances run v1.0.51. */
async function rolledOut(store: Store, size: number): Promise<boolean> {
  const snap = await snapshot(store);
  return snap.rollouts.some((r) => r.phase === 'Complete') && [...snap.appliances.values()].filter((a) => a.imageVersion === '1.0.51').length === size;
}

type Fault = 'kill' | 'push' | FailpointName;

/**
 * The run's faults: first the kills aimed at plan applies, while the rollout has actions to apply
 * (each such kill undoes its apply, so the next start meets the same actions); then in a random
 * order random-moment kills, bad pushes and the kills aimed at the other named steps.
 */
function shuffledFaults(options: KilledRolloutOptions, random: () => number): Fault[] {
  const aimed = AIMED_STEPS.filter((step) => step !== 'plan-apply').flatMap((step) => Array<Fault>(options.aimed ?? 0).fill(step));
  const rest: Fault[] = [...Array<Fault>(options.kills).fill('kill'), ...Array<Fault>(options.badPushes ?? 0).fill('push'), ...aimed];
  return [...Array<Fault>(options.aimed ?? 0).fill('plan-apply'), ...rest.sort(() => random() - 0.5)];
}

/**
 * Rolls v1.0.51 out to a simulated fleet through a real `muster controller` process, killing it with
 * SIGKILL `kills` times at random moments and `aimed` times at each named step (the controller started
 * before such a kill has that step's fail point armed, and is made to reach it), restarting it each
 * time; after each kill the store is checked (before the restart), and again when the rollout has
 * finished.
 */
export async function killedRollout(cleanups: Cleanups, options: KilledRolloutOptions): Promise<KilledRolloutResult> {
  const random = options.random ?? Math.random;
  const started = Date.now();
  const { git, db, store, tokens } = await prepareFleet(cleanups, options);
  const cache = tempDir('muster-chaos-cache-');
  cleanups.push(cache.remove);

  const port = await freePort();
  const faults = shuffledFaults(options, random);
  const arming = (from: number, n: number): Arming | null => {
    const next = faults.slice(from).find((f) => f !== 'push');
    return next && next !== 'kill' ? arm(next, cache.dir, n, random) : null;
  };
  let armed = arming(0, 0);
  const start = () => spawnController({ repo: git.url, db, port, cacheDir: cache.dir, ...(armed ? { env: armed.env } : {}) });
  let controller: ControllerProcess = await start();
  cleanups.push(() => controller.stop());
  const sent: SentCheckin[] = [];
  const simulator = startFleet(cleanups, controller.url, tokens, sent);

  const broken: string[] = [];
  const recoveryMs: number[] = [];
  const aimedKills: Record<string, number> = Object.fromEntries(AIMED_STEPS.map((step) => [step, 0]));
  let version = 0;
  let pushed = 0;
  for (const [i, fault] of faults.entries()) {
    if (fault === 'kill' || fault === 'push') await new Promise((resolve) => setTimeout(resolve, random() * options.maxKillDelayMs));
    if (pushed > 0) await git.commit({ [`broken-${pushed}.yaml`]: null }, 'remove the broken file');
    if (fault === 'push') {
      pushed += 1;
      await git.commit({ [`broken-${pushed}.yaml`]: BAD_YAML[pushed % BAD_YAML.length] as string }, 'broken YAML');
      continue;
    }
    if (fault === 'kill') await controller.kill();
    else {
      const missed = await killAt(controller, armed as Arming, { db, git }, options.aimedTimeoutMs ?? 30_000);
      if (missed) broken.push(`fault ${i + 1}: ${missed}`);
      else aimedKills[fault] = (aimedKills[fault] ?? 0) + 1;
    }
    // MUSTER_CHAOS_TRACE=1: one line per kill, to see where a long run spends its time.
    if (process.env.MUSTER_CHAOS_TRACE) console.info(`kill ${i + 1}/${faults.length} (${fault}) done at ${Date.now() - started} ms`);
    const snap = await snapshot(store);
    broken.push(...brokenInvariants(snap, sent, version).map((b) => `after fault ${i + 1} (${fault}): ${b}`));
    version = snap.version;
    armed = arming(i + 1, i + 1);
    const restart = Date.now();
    controller = await start();
    if (!controller.diedStarting) recoveryMs.push(Date.now() - restart);
  }

  await eventually(() => rolledOut(store, tokens.size), { what: 'the rollout to complete', timeoutMs: 600_000, everyMs: 200 });
  await simulator.stop();
  // Not left running until the test's cleanups: the long version runs the kill run after this one.
  await controller.stop();
  const final = await snapshot(store);
  broken.push(...brokenInvariants(final, sent, version).map((b) => `at the end: ${b}`));
  return {
    kills: options.kills,
    aimedKills,
    badPushes: pushed,
    broken,
    recoveryMs,
    checkinsSent: sent.length,
    checkinsAcked: sent.filter((c) => c.acked).length,
    fiveXx: sent.filter((c) => (c.status ?? 0) >= 500).length,
    endState: endState(final),
    seconds: (Date.now() - started) / 1000,
  };
}
