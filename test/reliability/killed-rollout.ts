import { systemClock, type Clock } from '../../lib/clock.js';
import { createHttpFetch, type FetchLike } from '../../agent/protocol/http-fetch.js';
import { startSimulator } from '../../agent/simulator/simulator.js';
import { openMigratedStore } from '../../controller/store/open-store.js';
import { releaseYaml } from '../helpers/fleet.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/tmp.js';
import { createGitFixture } from '../sources/git-repos.js';
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
}

export interface KilledRolloutResult {
  kills: number;
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
 * The real clock, with every timer cut to at most 2 s: the check-in backoff of an appliance that hit
 * several kills in a row would otherwise grow to minutes and the run would wait on it, which tests
 * the agent's patience, not the controller.
 */
const impatientClock: Clock = { ...systemClock, setTimeout: (fn, ms) => systemClock.setTimeout(fn, Math.min(ms, 2_000)) };

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

/**
 * Rolls v1.0.51 out to a simulated fleet through a real `muster controller` process, killing it with
 * SIGKILL `kills` times at random moments and restarting it; after each kill the store is checked
 * (before the restart), and again when the rollout has finished.
 */
export async function killedRollout(cleanups: Cleanups, options: KilledRolloutOptions): Promise<KilledRolloutResult> {
  const random = options.random ?? Math.random;
  const started = Date.now();
  const { git, db, store, tokens } = await prepareFleet(cleanups, options);
  const cache = tempDir('muster-chaos-cache-');
  cleanups.push(cache.remove);

  const port = await freePort();
  const start = () => spawnController({ repo: git.url, db, port, cacheDir: cache.dir });
  let controller: ControllerProcess = await start();
  cleanups.push(() => controller.stop());
  const sent: SentCheckin[] = [];
  const recorder = recordingFetch(sent, tokens);
  const simulator = startSimulator({
    server: controller.url,
    identities: [...tokens].map(([token, appliance]) => ({ appliance, token })),
    profile: { default: 'healthy', rules: [], initialVersion: { agentVersion: '1.0.49', imageVersion: '1.0.49' } },
    clock: impatientClock,
    speed: 40,
    startSpreadMs: 1_000 * 40,
    fetch: recorder.fetch,
  });
  cleanups.push(() => recorder.close(), () => simulator.stop());

  const broken: string[] = [];
  const recoveryMs: number[] = [];
  let version = 0;
  const faults = [...Array<'kill'>(options.kills).fill('kill'), ...Array<'push'>(options.badPushes ?? 0).fill('push')].sort(() => random() - 0.5);
  let pushed = 0;
  for (const [i, fault] of faults.entries()) {
    await new Promise((resolve) => setTimeout(resolve, random() * options.maxKillDelayMs));
    if (pushed > 0) await git.commit({ [`broken-${pushed}.yaml`]: null }, 'remove the broken file');
    if (fault === 'push') {
      pushed += 1;
      await git.commit({ [`broken-${pushed}.yaml`]: BAD_YAML[pushed % BAD_YAML.length] as string }, 'broken YAML');
      continue;
    }
    await controller.kill();
    const snap = await snapshot(store);
    broken.push(...brokenInvariants(snap, sent, version).map((b) => `after fault ${i + 1} (kill): ${b}`));
    version = snap.version;
    const restart = Date.now();
    controller = await start();
    recoveryMs.push(Date.now() - restart);
  }

  const complete = async () => {
    const snap = await snapshot(store);
    const done = snap.rollouts.some((r) => r.phase === 'Complete') && [...snap.appliances.values()].filter((a) => a.imageVersion === '1.0.51').length === tokens.size;
    return done ? snap : null;
  };
  await eventually(complete, { what: 'the rollout to complete', timeoutMs: 600_000, everyMs: 200 });
  await simulator.stop();
  const final = await snapshot(store);
  broken.push(...brokenInvariants(final, sent, version).map((b) => `at the end: ${b}`));
  return {
    kills: options.kills,
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
