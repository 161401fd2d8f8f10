import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult, Benchmark, Figure } from './bench.js';
import { summarize, type LoadOptions, type LoadResult, type Sample } from './load/checkin-load.js';
import { ask, forkWithRequest, stopChild, stopLoad } from './support/child.js';
import { controllerEnv, controllerNodeArgs } from './support/controller-node-args.js';
import type { PassWindows, TargetCommand, TargetReady, TargetRequest } from './support/checkin-target-main.js';
import { createDatabase, startOwnPostgres } from './support/embedded-postgres.js';
import { chosenCases } from './support/cases.js';
import { RssSampler } from './support/rss.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const TARGET = join(here, 'support', 'checkin-target-main.js');
const LOAD = join(here, 'load', 'checkin-load-main.js');
const CONNECTIONS = 64;
const WARM_MS = 3_000;

/** Each store with passes on the API's thread (as before) and on the reconcile worker. */
const CASES = ['sqlite-thread', 'sqlite-worker', 'postgres-thread', 'postgres-worker'] as const;
type CaseName = (typeof CASES)[number];

interface Settings {
  cases: CaseName[];
  appliances: number;
  idleMs: number;
  passes: number;
  gapMs: number;
  /** A directory for one CPU profile per case, of the controller's API thread during the passes. */
  profileDir: string | null;
  /** A directory for one heap snapshot per case, of the API thread after the passes (`MUSTER_BENCH_SNAPSHOT`). */
  snapshotDir: string | null;
}

function settings(env: NodeJS.ProcessEnv): Settings {
  return {
    cases: chosenCases(env, CASES),
    appliances: Number(env.MUSTER_BENCH_APPLIANCES ?? 100_000),
    idleMs: Number(env.MUSTER_BENCH_IDLE_MS ?? 8_000),
    passes: Number(env.MUSTER_BENCH_PASSES ?? 3),
    gapMs: Number(env.MUSTER_BENCH_PASS_GAP_MS ?? 1_000),
    profileDir: env.MUSTER_BENCH_PROFILE ? resolve(env.MUSTER_BENCH_PROFILE) : null,
    snapshotDir: env.MUSTER_BENCH_SNAPSHOT ? resolve(env.MUSTER_BENCH_SNAPSHOT) : null,
  };
}

interface Measured {
  idle: LoadResult;
  during: LoadResult;
  passMs: number[];
  rssMb: number;
  memory: PassWindows['memory'];
  /** The controller's peak RSS (every thread) under load before the passes, and during them, MB. */
  peakRssMb: { idle: number | null; passes: number | null };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether a request was in flight at any time during one of the windows. */
function overlaps([sentAt, ms]: Sample, windows: readonly [number, number][]): boolean {
  return windows.some(([from, to]) => sentAt < to && sentAt + ms >= from);
}

/** Check-ins under load, first with no pass (idle), then during passes run back to back `gapMs` apart. */
async function measure(name: CaseName, request: TargetRequest, s: Settings): Promise<Measured> {
  // The set-up (fleet, check-ins, tokens) in one process, the controller measured in a fresh one, so
  // that its memory holds nothing the set-up left behind.
  const setup = await forkWithRequest<{ ready: TargetReady }>(TARGET, request);
  await stopChild(setup.child);
  const target = await forkWithRequest<{ ready: TargetReady }>(TARGET, { ...request, prepared: { tokens: setup.answer.ready.tokens } }, controllerNodeArgs(), controllerEnv());
  const rss = new RssSampler(target.child.pid as number, 20);
  try {
    const { url, tokens } = target.answer.ready;
    const { child } = await forkWithRequest<{ ok: true }>(LOAD, { url, tokens, connections: CONNECTIONS } satisfies LoadOptions);
    try {
      await sleep(WARM_MS);
      const idleFrom = Date.now();
      rss.enter('idle');
      await sleep(s.idleMs);
      rss.enter('passes');
      if (s.profileDir) await ask(target.child, { profile: 'start' } satisfies TargetCommand);
      const { windows, rssMb, memory } = await ask<PassWindows>(target.child, { passes: s.passes, gapMs: s.gapMs } satisfies TargetCommand);
      if (s.profileDir) await ask(target.child, { profile: 'stop', file: join(s.profileDir, `${name}.cpuprofile`) } satisfies TargetCommand);
      rss.enter(null);
      const samples = await stopLoad(child);
      if (s.snapshotDir) await ask(target.child, { snapshot: join(s.snapshotDir, `${name}.heapsnapshot`) } satisfies TargetCommand);
      const firstPass = windows[0]?.[0] ?? Infinity;
      const idleSamples = samples.filter((sample) => sample[0] >= idleFrom && sample[0] + sample[1] < firstPass);
      const during = summarize(samples.filter((sample) => overlaps(sample, windows)));
      const passSeconds = windows.reduce((sum, [from, to]) => sum + (to - from) / 1000, 0);
      return {
        idle: summarize(idleSamples, idleFrom, firstPass),
        during: { ...during, perSecond: passSeconds > 0 ? during.requests / passSeconds : 0 },
        passMs: windows.map(([from, to]) => to - from),
        rssMb,
        memory,
        peakRssMb: { idle: rss.peak('idle'), passes: rss.peak('passes') },
      };
    } finally {
      await stopChild(child);
    }
  } finally {
    rss.stop();
    await stopChild(target.child);
  }
}

function figures(name: CaseName, m: Measured): Figure[] {
  return [
    { name: `${name}: check-ins/s idle → during passes`, value: m.idle.perSecond, unit: `/s → ${Math.round(m.during.perSecond)}/s` },
    { name: `${name}: p50 idle → during`, value: m.idle.p50Ms, unit: `ms → ${m.during.p50Ms.toFixed(1)} ms` },
    { name: `${name}: p99 idle → during`, value: m.idle.p99Ms, unit: `ms → ${m.during.p99Ms.toFixed(1)} ms` },
    { name: `${name}: max idle → during`, value: m.idle.maxMs, unit: `ms → ${m.during.maxMs.toFixed(1)} ms` },
    { name: `${name}: p99 during / idle`, value: m.during.p99Ms / Math.max(m.idle.p99Ms, 0.001), unit: '×' },
    { name: `${name}: errors`, value: m.idle.errors + m.during.errors, unit: '' },
    { name: `${name}: passes (ms each)`, value: m.passMs.length, unit: `(${m.passMs.map((ms) => Math.round(ms)).join(', ')})` },
    { name: `${name}: controller RSS after the passes`, value: m.rssMb, unit: 'MB' },
    {
      name: `${name}: of it, V8 heaps used/committed: API thread, worker; V8's external memory`,
      value: Math.round(m.memory.apiHeap[0]),
      unit: `/${Math.round(m.memory.apiHeap[1])} MB, ${Math.round(m.memory.workerHeap[0])}/${Math.round(m.memory.workerHeap[1])} MB; ${Math.round(m.memory.external)} MB`,
    },
    { name: `${name}: controller peak RSS idle → during the passes`, value: Math.round(m.peakRssMb.idle ?? 0), unit: `MB → ${Math.round(m.peakRssMb.passes ?? 0)} MB` },
  ];
}

async function run(): Promise<BenchResult> {
  const s = settings(process.env);
  if (s.profileDir) mkdirSync(s.profileDir, { recursive: true });
  if (s.snapshotDir) mkdirSync(s.snapshotDir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'muster-bench-pass-'));
  const server = s.cases.some((c) => c.startsWith('postgres')) ? await startOwnPostgres() : null;
  try {
    const results: Partial<Record<CaseName, Measured>> = {};
    for (const name of s.cases) {
      const db = name.startsWith('postgres')
        ? await createDatabase((server as NonNullable<typeof server>).url, `bench_${name.replace('-', '_')}`)
        : join(work, `${name}.db`);
      const reconcileWorker = name.endsWith('worker') ? 'always' : 'never';
      results[name] = await measure(name, { mode: 'muster', db, fleetDir: join(work, name), appliances: s.appliances, reconcileWorker, passesOnRequest: true }, s);
      const m = results[name] as Measured;
      process.stderr.write(`  ${name}: p99 ${m.idle.p99Ms.toFixed(1)} → ${m.during.p99Ms.toFixed(1)} ms, passes ${m.passMs.map(Math.round).join(', ')} ms\n`);
    }
    const worker = s.cases.filter((c) => c.endsWith('worker')).map((c) => results[c] as Measured);
    return {
      title: `Check-ins during reconcile passes, ${CONNECTIONS} clients, ${s.appliances} appliances`,
      figures: s.cases.flatMap((c) => figures(c, results[c] as Measured)),
      comparison: s.cases
        .map((c) => `${c}: p99 during passes ${((results[c] as Measured).during.p99Ms / (results[c] as Measured).idle.p99Ms).toFixed(2)}× idle`)
        .join('; '),
      goal: 'check-in p99 during a pass under 2× the idle p99 of the same run (passes on the worker)',
      met: worker.length > 0 && worker.every((m) => m.during.p99Ms < 2 * m.idle.p99Ms && m.during.errors === 0),
    };
  } finally {
    await server?.remove();
    rmSync(work, { recursive: true, force: true });
  }
}

export const checkinPassBenchmark: Benchmark = { id: 'checkin-pass', run };
