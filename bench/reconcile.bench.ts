import { fork } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { canonicalJson, retentionPolicyHash, sha256Hex } from '../controller/desired/canonical.js';
import { shareRepeatedStrings } from '../controller/desired/shared-strings.js';
import type { Appliance, DesiredState, Release, RetentionPolicy, Rollout } from '../controller/desired/types.js';
import type { ApplianceObservation, RolloutObservation, StateDocument } from '../controller/observed/state-schema.js';
import { applyPlanToState } from '../controller/reconcile/apply.js';
import { ReconcileCache } from '../controller/reconcile/reconcile.js';
import { reconcile } from '../controller/reconcile/reconcile.js';
import { median, timeMs, type Benchmark, type BenchResult } from './bench.js';
import { ObservedFile } from './support/observed-file.js';
import { peakRss, resetPeakRss, RssSampler } from './support/rss.js';

const APPLIANCES = Number(process.env.MUSTER_BENCH_APPLIANCES ?? 100_000);
const CLIENTS = 18;
const NOW_MS = Date.parse('2026-01-31T12:00:00Z');
const MINUTE = 60_000;
/** Warm passes whose peak RSS is reported on its own, and warm passes in all. */
const WARM_PASSES = 5;
const LONG_PASSES = Number(process.env.MUSTER_BENCH_WARM_PASSES ?? 30);
/** Idle time before each warm pass: 0 runs them back to back; the controller's loop leaves at least 5 s. */
const PASS_GAP_MS = Number(process.env.MUSTER_BENCH_PASS_GAP_MS ?? 0);
const NAIVE_PASSES = 3;
const GOAL_MS = 1000;
const GOAL_MB = 300;

/** A small deterministic generator, so every run plans the same fleet. */
function prng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 48271) % 2147483647;
    return s / 2147483647;
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

function release(name: string): Release {
  const version = name.slice(1);
  return { name, version, image: { version, url: `https://updates.example.com/${name}.img`, sha256: sha256Hex(name) } };
}

function rollout(name: string, rel: string, selector: Rollout['selector'], percents: number[], extra: Partial<Rollout> = {}): Rollout {
  const raw = { release: rel, selector, stages: percents.map((percent) => ({ percent, soak: '1h' })) };
  return {
    name,
    release: rel,
    selector,
    stages: percents.map((percent) => ({ percent, soakMs: 3_600_000 })),
    progressDeadlineMs: 6 * 3_600_000,
    maxConcurrent: null,
    failurePolicy: { maxFailures: 50, action: 'pause' },
    window: null,
    paused: false,
    rollback: false,
    specHash: sha256Hex(canonicalJson(raw)),
    raw: raw as Rollout['raw'],
    ...extra,
  };
}

/**
 * A fleet as it looks on an ordinary day: 100,000 appliances of 18 clients at 2,000 sites, a
 * fleet-wide rollout at 100% nearly done (some stuck, some offline), the next one in its 1% canary
 * stage, one hotfix rollout per client in various stages, two retention policies, proofs pending.
 */
export function buildFleet(count = APPLIANCES): { desired: DesiredState; observed: StateDocument } {
  const rand = prng(42);
  const appliances: Appliance[] = [];
  for (let i = 0; i < count; i++) {
    const client = `client-${String(i % CLIENTS).padStart(2, '0')}`;
    const r = rand();
    appliances.push({
      name: `${client}-site-${String(Math.floor(i / 50) % 2000).padStart(4, '0')}-${String(i).padStart(6, '0')}`,
      labels: { client, site: `site-${Math.floor(i / 50) % 2000}`, ring: r < 0.02 ? 'canary' : r < 0.2 ? 'early' : 'broad', hardware: i % 3 ? 'hp-t640' : 'vm' },
    });
  }
  appliances.sort((a, b) => (a.name < b.name ? -1 : 1));
  const releases = [release('v3.1.0'), release('v3.2.0'), ...Array.from({ length: CLIENTS }, (_, c) => release(`v3.1.${c + 1}`))];
  const rollouts = [
    rollout('fleet-v3.1.0', 'v3.1.0', null, [1, 10, 100]),
    rollout('fleet-v3.2.0', 'v3.2.0', null, [1, 10, 100]),
    ...Array.from({ length: CLIENTS }, (_, c) =>
      rollout(`hotfix-client-${String(c).padStart(2, '0')}`, `v3.1.${c + 1}`, { matchLabels: { client: `client-${String(c).padStart(2, '0')}` } }, [5, 25, 100], c % 4 === 0 ? { maxConcurrent: 200 } : {}),
    ),
  ];
  const policy = (name: string, selector: RetentionPolicy['selector']): RetentionPolicy => ({
    name,
    selector,
    incidents: { retainDays: 30, keepUnresolved: true, pruneEveryMs: 86_400_000, vacuum: true },
    maxDatabaseBytes: 2 ** 31,
    checkinHistoryRetainDays: 30,
    policyHash: retentionPolicyHash({ keepUnresolved: true, pruneEverySeconds: 86_400, retainDays: 30, vacuum: true }),
  });
  const desired: DesiredState = {
    revision: 'bench',
    fleet: { name: 'bench', checkinIntervalMs: MINUTE, offlineAfterMs: 3 * MINUTE },
    appliances,
    releases,
    rollouts,
    retentionPolicies: [policy('canary', { matchLabels: { ring: 'canary' } }), policy('default', null)],
    otsPolicy: { name: 'default', calendars: ['https://alice.btc.calendar.opentimestamps.org'], expireAfterMs: 7 * 86_400_000, upgradeEveryMs: 3_600_000, upgradeBatch: 500, alertPendingAbove: 5000 },
    objects: [],
  };
  return { desired, observed: observe(desired, rand) };
}

function observe(desired: DesiredState, rand: () => number): StateDocument {
  const assignedAt = NOW_MS - 3 * 86_400_000;
  const v31: RolloutObservation = { name: 'fleet-v3.1.0', stage: 3, stageStartedAt: iso(assignedAt), phase: 'Progressing', assignments: [] };
  const v32: RolloutObservation = { name: 'fleet-v3.2.0', stage: 1, stageStartedAt: iso(NOW_MS - 2 * 3_600_000), phase: 'Progressing', assignments: [] };
  const hotfixes = new Map<string, RolloutObservation>();
  const appliances: ApplianceObservation[] = [];
  for (const a of desired.appliances) {
    const r = rand();
    const client = a.labels.client as string;
    const hotfix = `hotfix-${client}`;
    const hotfixRelease = desired.rollouts.find((x) => x.name === hotfix)?.release as string;
    let version = '3.1.0';
    let update: ApplianceObservation['update'] = { release: 'v3.1.0', phase: 'succeeded', since: iso(assignedAt + 3_600_000), attempt: 1, error: null };
    v31.assignments.push({ appliance: a.name, release: 'v3.1.0', at: iso(assignedAt) });
    if (r < 0.01) {
      v32.assignments.push({ appliance: a.name, release: 'v3.2.0', at: iso(NOW_MS - 2 * 3_600_000) });
      update = { release: 'v3.2.0', phase: rand() < 0.5 ? 'succeeded' : 'downloading', since: iso(NOW_MS - 3_600_000), attempt: 1, error: null };
      version = update.phase === 'succeeded' ? '3.2.0' : version;
    } else if (r < 0.06) {
      let h = hotfixes.get(hotfix);
      if (!h) hotfixes.set(hotfix, (h = { name: hotfix, stage: 2, stageStartedAt: iso(NOW_MS - 5 * 3_600_000), phase: 'Progressing', assignments: [] }));
      h.assignments.push({ appliance: a.name, release: hotfixRelease, at: iso(NOW_MS - 5 * 3_600_000) });
      const phase = rand() < 0.9 ? 'succeeded' : 'installing';
      update = { release: hotfixRelease, phase, since: iso(NOW_MS - 4 * 3_600_000), attempt: 1, error: null };
      if (phase === 'succeeded') version = hotfixRelease.slice(1);
    } else if (r < 0.065) {
      update = { release: 'v3.1.0', phase: 'failed', since: iso(assignedAt + 7_200_000), attempt: 3, error: 'sha256 mismatch' };
      version = '3.0.9';
    } else if (r < 0.07) {
      update = { release: 'v3.1.0', phase: 'downloading', since: iso(assignedAt + 600_000), attempt: 1, error: null };
      version = '3.0.9';
    }
    const offline = rand() < 0.02;
    appliances.push({
      id: a.name,
      lastCheckinAt: iso(offline ? NOW_MS - 86_400_000 * rand() - 600_000 : NOW_MS - Math.floor(rand() * MINUTE)),
      agentVersion: version,
      imageVersion: version.split('.').pop() ?? null,
      update,
      retention: {
        policyHash: desired.retentionPolicies[1]?.policyHash ?? null,
        lastPrunedAt: iso(NOW_MS - rand() * 86_400_000),
        databaseBytes: Math.floor(rand() * 2 ** 30),
        incidents: Math.floor(rand() * 5000),
        oldestIncidentAt: iso(NOW_MS - 30 * 86_400_000),
      },
    });
  }
  const pending = Array.from({ length: 14 * 24 }, (_, h) => ({ createdAt: iso(NOW_MS - h * 3_600_000), count: 200 }));
  return {
    apiVersion: 'muster.dev/v1alpha1',
    kind: 'State',
    exportedAt: iso(NOW_MS),
    appliances,
    rollouts: [v31, v32, ...hotfixes.values()],
    proofs: { pending, anchored: 1_000_000, expired: 0, failed: 0 },
  };
}

/**
 * The next minute's check-ins (every appliance online at pass `minute - 1` reports a minute later),
 * and the observed state read back at that minute, as the pass reads it.
 */
function nextMinute(file: ObservedFile, minute: number): { now: Date; observed: StateDocument } {
  file.checkInAgain(NOW_MS + (minute - 1) * MINUTE - 5 * MINUTE, MINUTE);
  const now = new Date(NOW_MS + minute * MINUTE);
  return { now, observed: file.read(now) };
}

interface ChildFigures {
  coldMs: number;
  /** CPU time of the process during the cold pass (all threads), steadier than its wall time on a loaded machine. */
  coldCpuMs: number;
  warmMs: number[];
  warmCpuMs: number[];
  /** How much each warm pass left in the old generation (MB; negative when a major collection ran). */
  warmOldGrowthMb: number[];
  naiveMs: number[];
  /** Kernel peak RSS over the cold and all warm passes (reset after the data was built), MB. */
  kernelPeakMb: number | null;
  actions: number;
  findings: number;
  assignments: number;
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

function oldGenerationMb(): number {
  let bytes = 0;
  for (const space of v8.getHeapSpaceStatistics()) if (!space.space_name.startsWith('new_')) bytes += space.space_used_size;
  return bytes / 2 ** 20;
}

// Tells the parent which window the work that follows belongs to, and waits until it has switched.
function enter(window: string): Promise<void> {
  return new Promise((resolve) => {
    process.once('message', () => resolve());
    process.send?.({ window });
  });
}

/**
 * The first pass, cache empty, its plan applied to the file as the controller applies it (so later
 * passes start from the state it made); only its figures outlive it.
 */
async function coldPass(file: ObservedFile, desired: DesiredState, cache: ReconcileCache) {
  const now = new Date(NOW_MS);
  const observed = file.read(now);
  const cpu = process.cpuUsage();
  const cold = await timeMs(() => reconcile(desired, observed, now, { cache }));
  const coldCpuMs = cpuMs(cpu);
  file.replace(applyPlanToState(observed, cold.value));
  return { coldMs: cold.ms, coldCpuMs, actions: cold.value.actions.length, findings: cold.value.findings.length };
}

async function measure(): Promise<ChildFigures> {
  await enter('data');
  const fleet = buildFleet();
  // The desired state as the reconcile worker holds it: a structured clone, its repeated strings shared.
  const desired = shareRepeatedStrings(structuredClone(fleet.desired));
  (fleet as Partial<typeof fleet>).desired = undefined;
  const assignments = fleet.observed.rollouts.reduce((n, r) => n + r.assignments.length, 0);
  // The observed state lives in a database between passes, as in the controller: each pass reads it afresh.
  const file = await ObservedFile.create(fleet.observed);
  (fleet as Partial<typeof fleet>).observed = undefined;
  await enter('passes');
  const reset = resetPeakRss();
  const cache = new ReconcileCache();
  const cold = await coldPass(file, desired, cache);
  const warmMs: number[] = [];
  const warmCpuMs: number[] = [];
  const warmOldGrowthMb: number[] = [];
  for (let i = 1; i <= LONG_PASSES; i++) {
    if (i === WARM_PASSES + 1) await enter('long');
    if (PASS_GAP_MS > 0) await sleep(PASS_GAP_MS);
    const { now, observed: next } = nextMinute(file, i);
    const cpu = process.cpuUsage();
    const before = oldGenerationMb();
    warmMs.push((await timeMs(() => reconcile(desired, next, now, { cache }))).ms);
    warmOldGrowthMb.push(oldGenerationMb() - before);
    warmCpuMs.push(cpuMs(cpu));
  }
  const kernelPeakMb = reset ? peakRss() : null;
  await enter('naive');
  const naiveMs: number[] = [];
  for (let i = LONG_PASSES + 1; i <= LONG_PASSES + NAIVE_PASSES; i++) {
    const { now, observed: next } = nextMinute(file, i);
    naiveMs.push((await timeMs(() => reconcile(desired, next, now, { cache: null }))).ms);
  }
  file.close();
  return { ...cold, warmMs, warmCpuMs, warmOldGrowthMb, naiveMs, kernelPeakMb, assignments };
}

if (process.env.MUSTER_RECONCILE_BENCH_CHILD === '1') {
  const figures = await measure();
  process.send?.({ figures });
}

interface Measured extends ChildFigures {
  /** Peak RSS sampled in each window, MB (null where there is no /proc). */
  rss: { data: number | null; passes: number | null; long: number | null; naive: number | null };
}

/**
 * Runs the measurement in a fresh child process with V8's default heap sizing (no heap flag, and
 * none inherited through NODE_OPTIONS), sampling its RSS from here every few milliseconds: a pass
 * is synchronous, so the process cannot sample itself while it runs, and a process of its own keeps
 * what earlier benchmarks left in the heap out of the figures.
 */
function runChild(): Promise<Measured> {
  const nodeOptions = (process.env.NODE_OPTIONS ?? '').split(/\s+/).filter((o) => o && !/^--max-(old|semi)-space-size/.test(o));
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: [],
    env: { ...process.env, NODE_OPTIONS: nodeOptions.join(' '), MUSTER_RECONCILE_BENCH_CHILD: '1' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const sampler = new RssSampler(child.pid as number);
  return new Promise<Measured>((resolve, reject) => {
    child.on('message', (m: { window?: string; figures?: ChildFigures }) => {
      if (m.window) {
        sampler.enter(m.window);
        child.send({ ok: true });
      } else if (m.figures) {
        sampler.stop();
        const rss = { data: sampler.peak('data'), passes: sampler.peak('passes'), long: sampler.peak('long'), naive: sampler.peak('naive') };
        resolve({ ...m.figures, rss });
      }
    });
    child.once('exit', (code) => {
      sampler.stop();
      reject(new Error(`the reconcile benchmark child exited with ${code}`));
    });
  });
}

const mb = (value: number | null) => value ?? NaN;

/**
 * `reconcile`: one reconcile pass over 100,000 appliances and 20 rollouts, in a fresh process with
 * V8's default heap sizing: the first (cold) pass, warm passes (cache kept, the first plan applied,
 * each a minute of check-ins later) and the naive pass that recomputes every cohort order, with
 * the process's peak RSS sampled during the cold and first five warm passes, and over thirty. As
 * in the reconcile worker, each pass plans from the observed state read afresh from a SQLite file
 * with the store's own read (the read is not timed; its memory is in the RSS), and the desired
 * state is held as the worker holds it.
 */
export const reconcileBenchmark: Benchmark = {
  id: 'reconcile',
  run: async (): Promise<BenchResult> => {
    const m = await runChild();
    const warm = median(m.warmMs);
    const naive = median(m.naiveMs);
    const peakShort = mb(m.rss.passes);
    const peakLong = Math.max(peakShort, m.rss.long ?? 0);
    return {
      title: `Reconcile pass over ${APPLIANCES.toLocaleString('en-US')} appliances (20 rollouts, ${m.assignments.toLocaleString('en-US')} assignments${PASS_GAP_MS ? `, warm passes ${PASS_GAP_MS / 1000} s apart` : ''})`,
      figures: [
        { name: 'cold pass (first, cache empty)', value: m.coldMs, unit: 'ms' },
        { name: 'cold pass, CPU time of the process', value: m.coldCpuMs, unit: 'ms' },
        { name: `warm pass (median of ${LONG_PASSES})`, value: warm, unit: 'ms' },
        { name: 'warm pass, CPU time of the process (median)', value: median(m.warmCpuMs), unit: 'ms' },
        { name: `naive pass, no cache (median of ${NAIVE_PASSES})`, value: naive, unit: 'ms' },
        { name: 'peak RSS while the data is built, before the first pass', value: mb(m.rss.data), unit: 'MB' },
        { name: `peak RSS, cold and first ${WARM_PASSES} warm passes (sampled)`, value: peakShort, unit: 'MB' },
        { name: `peak RSS, cold and ${LONG_PASSES} warm passes (sampled)`, value: peakLong, unit: 'MB' },
        { name: `peak RSS, cold and ${LONG_PASSES} warm passes (kernel high-water mark)`, value: mb(m.kernelPeakMb), unit: 'MB' },
        { name: 'old generation left per warm pass (median)', value: median(m.warmOldGrowthMb), unit: 'MB' },
        { name: 'peak RSS during the naive passes (sampled)', value: mb(m.rss.naive), unit: 'MB' },
        { name: 'actions in the first plan', value: m.actions, unit: '' },
        { name: 'findings in the first plan', value: m.findings, unit: '' },
      ],
      comparison: `the warm pass takes ${(warm / naive).toFixed(2)}× the naive pass's time (${(naive / warm).toFixed(1)}× faster); the cold pass ${(m.coldMs / naive).toFixed(2)}×`,
      goal: `cold and warm passes under ${GOAL_MS} ms, and under ${GOAL_MB} MB peak RSS over the cold and ${LONG_PASSES} warm passes with V8's default heap sizing`,
      met: m.coldMs < GOAL_MS && warm < GOAL_MS && peakLong < GOAL_MB,
    };
  },
};
