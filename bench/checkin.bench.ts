import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GroupCommitOptions } from '../controller/api/group-commit.js';
import type { BenchResult, Benchmark, Figure } from './bench.js';
import { summarize, type LoadOptions, type LoadResult, type Sample } from './load/checkin-load.js';
import type { SliceAnswer, SliceRequest } from './load/checkin-slices-main.js';
import { ask, forkWithRequest, stopChild } from './support/child.js';
import { controllerEnv, controllerNodeArgs } from './support/controller-node-args.js';
import { createDatabase, startOwnPostgres } from './support/embedded-postgres.js';
import type { TargetCommand, TargetReady, TargetRequest } from './support/checkin-target-main.js';
import { metricsSince, passFigures, scrapeTargetMetrics, type TargetMetrics } from './support/target-metrics.js';
import { chosenCases } from './support/cases.js';
import { cpuSnapshot, cpuSpentMs } from './support/proc-cpu.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const TARGET = join(here, 'support', 'checkin-target-main.js');
const SLICES = join(here, 'load', 'checkin-slices-main.js');
const CONNECTIONS = 64;

/** The cases, in the order they run; `MUSTER_BENCH_CASES=bare,sqlite` runs a subset. */
const CASES = ['bare', 'postgres', 'postgres-naive', 'sqlite', 'sqlite-naive'] as const;
type CaseName = (typeof CASES)[number];

/** Knobs for investigating (profiles, a bigger fleet); the recorded figures use the defaults. */
interface Settings {
  cases: CaseName[];
  appliances: number;
  /** Load time per case, in slices of `sliceMs` taken in turns. */
  durationMs: number;
  sliceMs: number;
  /** A directory for one CPU profile per case, of the target process while under load. */
  profileDir: string | null;
  /** Group commit settings (JSON, any of its fields) over each store's defaults, to compare them. */
  groupCommit: Partial<GroupCommitOptions> | undefined;
}

function settings(env: NodeJS.ProcessEnv): Settings {
  return {
    cases: chosenCases(env, CASES),
    appliances: Number(env.MUSTER_BENCH_APPLIANCES ?? 10_000),
    durationMs: Number(env.MUSTER_BENCH_DURATION_MS ?? 8_000),
    sliceMs: Number(env.MUSTER_BENCH_SLICE_MS ?? 1_000),
    profileDir: env.MUSTER_BENCH_PROFILE ? resolve(env.MUSTER_BENCH_PROFILE) : null,
    groupCommit: env.MUSTER_BENCH_GROUP_COMMIT ? (JSON.parse(env.MUSTER_BENCH_GROUP_COMMIT) as Partial<GroupCommitOptions>) : undefined,
  };
}

interface Measured {
  load: LoadResult;
  /** What the controller did during the load. */
  target: TargetMetrics | null;
  steadyPassMs: number | undefined;
  setupMs: number;
  /** CPU per check-in during the load, µs: the controller's process (every thread), and PostgreSQL's. */
  cpu: { controllerUs: number; postgresUs: number | null; loadUs: number | null };
}

/** A target serving, with what is summed over its slices. */
interface Running {
  name: CaseName;
  child: ChildProcess;
  ready: TargetReady;
  setupMs: number;
  postgresPid: number | undefined;
  metricsBefore: TargetMetrics | null;
  samples: Sample[];
  windowMs: number;
  cpuMs: { controller: number; postgres: number; load: number };
}

async function startTarget(name: CaseName, request: TargetRequest, postgresPid: number | undefined): Promise<Running> {
  const started = Date.now();
  // The baseline is a bare Node server with Node's defaults.
  const controller = request.mode !== 'bare';
  const target = await forkWithRequest<{ ready: TargetReady }>(TARGET, request, controller ? controllerNodeArgs() : [], controller ? controllerEnv() : process.env);
  const ready = target.answer.ready;
  const metricsBefore = controller ? await scrapeTargetMetrics(ready.url) : null;
  return { name, child: target.child, ready, setupMs: Date.now() - started, postgresPid, metricsBefore, samples: [], windowMs: 0, cpuMs: { controller: 0, postgres: 0, load: 0 } };
}

/** One slice of load on one target, its samples and CPU added to the target's totals. */
async function runSlice(load: ChildProcess, t: Running, durationMs: number): Promise<void> {
  const options: LoadOptions = { url: t.ready.url, tokens: t.ready.tokens, connections: CONNECTIONS };
  const before = { controller: cpuSnapshot(t.child.pid), postgres: cpuSnapshot(t.postgresPid) };
  const answer = await ask<SliceAnswer>(load, { options, durationMs } satisfies SliceRequest);
  t.cpuMs.controller += cpuSpentMs(before.controller, cpuSnapshot(t.child.pid));
  t.cpuMs.postgres += cpuSpentMs(before.postgres, cpuSnapshot(t.postgresPid));
  t.cpuMs.load += answer.cpuMs;
  t.windowMs += answer.window[1] - answer.window[0];
  for (const sample of answer.samples) t.samples.push(sample);
}

async function measured(t: Running): Promise<Measured> {
  const summary = summarize(t.samples);
  const load: LoadResult = { ...summary, perSecond: (1000 * summary.requests) / Math.max(1, t.windowMs) };
  const perCheckinUs = (ms: number) => (1000 * ms) / Math.max(1, load.requests);
  const metrics = t.metricsBefore ? metricsSince(t.metricsBefore, await scrapeTargetMetrics(t.ready.url)) : null;
  return {
    load,
    target: metrics,
    steadyPassMs: t.ready.steadyPassMs,
    setupMs: t.setupMs,
    cpu: { controllerUs: perCheckinUs(t.cpuMs.controller), postgresUs: t.postgresPid === undefined ? null : perCheckinUs(t.cpuMs.postgres), loadUs: perCheckinUs(t.cpuMs.load) },
  };
}

/**
 * Every case serves at once and they take turns under the load, slice by slice (the order turning each
 * round), so that the machine's slow and fast moments fall on every case alike and the ratios compare
 * like with like.
 */
async function interleave(targets: Running[], s: Settings): Promise<void> {
  const load = fork(SLICES, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  try {
    const rounds = Math.max(1, Math.round(s.durationMs / s.sliceMs));
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < targets.length; i++) await runSlice(load, targets[(i + round) % targets.length] as Running, s.sliceMs);
    }
  } finally {
    load.send('stop');
  }
}

/** CPU per check-in summed over every process that serves one: the controller, PostgreSQL, the load generator. */
function totalCpuUs(m: Measured): number {
  return m.cpu.controllerUs + (m.cpu.postgresUs ?? 0) + (m.cpu.loadUs ?? 0);
}

/**
 * The rate the machine's cores allow at that CPU per check-in, were every core busy with nothing else:
 * on a machine where the load generator and PostgreSQL share the controller's cores, a store can reach
 * no more than its ceiling over the bare server's rate, whatever its commit path does.
 */
function cpuCeilingPerSecond(m: Measured): number {
  return (availableParallelism() * 1e6) / Math.max(1, totalCpuUs(m));
}

function figures(label: string, m: Measured): Figure[] {
  return [
    { name: `${label}: check-ins/s`, value: m.load.perSecond, unit: '/s' },
    { name: `${label}: p50`, value: m.load.p50Ms, unit: 'ms' },
    { name: `${label}: p99`, value: m.load.p99Ms, unit: 'ms' },
    { name: `${label}: max`, value: m.load.maxMs, unit: 'ms' },
    { name: `${label}: errors`, value: m.load.errors, unit: '' },
    { name: `${label}: controller CPU per check-in`, value: Math.round(m.cpu.controllerUs), unit: 'µs' },
    ...(m.cpu.loadUs === null ? [] : [{ name: `${label}: load generator CPU per check-in`, value: Math.round(m.cpu.loadUs), unit: 'µs' }]),
    ...(m.cpu.postgresUs === null ? [] : [{ name: `${label}: PostgreSQL CPU per check-in`, value: Math.round(m.cpu.postgresUs), unit: 'µs' }]),
    { name: `${label}: CPU per check-in, every process`, value: Math.round(totalCpuUs(m)), unit: 'µs' },
    { name: `${label}: the rate ${availableParallelism()} cores allow at that CPU`, value: Math.round(cpuCeilingPerSecond(m)), unit: `/s (${pct(m.load.perSecond / cpuCeilingPerSecond(m))} reached)` },
    ...(m.target ? passFigures(label, m.target, m.steadyPassMs) : []),
  ];
}

const LABELS: Record<CaseName, string> = {
  bare: 'bare Node HTTP server (ceiling)',
  postgres: 'PostgreSQL, group commit',
  'postgres-naive': 'PostgreSQL, one transaction per check-in',
  sqlite: 'SQLite, group commit',
  'sqlite-naive': 'SQLite, one transaction per check-in',
};

function comparison(results: Partial<Record<CaseName, Measured>>): string {
  const rate = (c: CaseName) => results[c]?.load.perSecond;
  const ratio = (a: CaseName, b: CaseName) => {
    const [x, y] = [rate(a), rate(b)];
    return x !== undefined && y !== undefined ? `${(x / y).toFixed(2)}×` : 'n/a';
  };
  const ceiling = (c: CaseName) => {
    const [m, bare] = [results[c], rate('bare')];
    return m !== undefined && bare !== undefined ? `${(cpuCeilingPerSecond(m) / bare).toFixed(2)}×` : 'n/a';
  };
  return (
    `PostgreSQL with group commit reaches ${ratio('postgres', 'bare')} the bare server's rate and ` +
    `${ratio('postgres', 'postgres-naive')} one transaction per check-in; ` +
    `SQLite ${ratio('sqlite', 'bare')} the bare server and ${ratio('sqlite', 'sqlite-naive')} one transaction per check-in. ` +
    `At the CPU each spent per check-in (every process), the cores allow at most ${ceiling('postgres')} (PostgreSQL) and ${ceiling('sqlite')} (SQLite) of the bare server's rate.`
  );
}

function pct(share: number): string {
  return `${Math.round(100 * share)}%`;
}

/** The goal: each store's rate as a share of the bare server's, in the same run. */
const GOAL_RATIO: Partial<Record<CaseName, number>> = { sqlite: 0.6, postgres: 0.5 };

function ratioGoalMet(results: Partial<Record<CaseName, Measured>>): boolean {
  const bare = results.bare?.load.perSecond;
  if (bare === undefined) return false;
  return (['sqlite', 'postgres'] as const).every((c) => {
    const m = results[c];
    return m !== undefined && m.load.perSecond >= (GOAL_RATIO[c] as number) * bare && m.load.p99Ms < 50 && m.load.errors === 0;
  });
}

async function run(): Promise<BenchResult> {
  const s = settings(process.env);
  if (s.profileDir) mkdirSync(s.profileDir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'muster-bench-'));
  const needsPostgres = s.cases.some((c) => c.startsWith('postgres'));
  const server = needsPostgres ? await startOwnPostgres() : null;
  try {
    const targets: Running[] = [];
    const results: Partial<Record<CaseName, Measured>> = {};
    try {
      for (const name of s.cases) {
        const mode = name === 'bare' ? 'bare' : name.endsWith('naive') ? 'naive' : 'muster';
        const db = name.startsWith('postgres')
          ? await createDatabase((server as NonNullable<typeof server>).url, `bench_${mode}`)
          : join(work, `muster.${mode}.db`);
        const request: TargetRequest = mode === 'bare' ? { mode } : { mode, db, fleetDir: join(work, name), appliances: s.appliances };
        if (s.groupCommit && mode === 'muster') request.groupCommit = s.groupCommit;
        targets.push(await startTarget(name, request, name.startsWith('postgres') ? server?.pid() : undefined));
        process.stderr.write(`  ${name}: serving (setup ${targets[targets.length - 1]?.setupMs} ms)\n`);
      }
      if (s.profileDir) for (const t of targets) await ask(t.child, { profile: 'start' } satisfies TargetCommand);
      await interleave(targets, s);
      for (const t of targets) {
        if (s.profileDir) await ask(t.child, { profile: 'stop', file: join(s.profileDir, `${t.name}.cpuprofile`) } satisfies TargetCommand);
        results[t.name] = await measured(t);
        process.stderr.write(`  ${t.name}: ${Math.round(results[t.name]?.load.perSecond ?? 0)}/s\n`);
      }
    } finally {
      for (const t of targets) await stopChild(t.child);
    }
    return {
      title: `Durable check-ins over HTTP, ${CONNECTIONS} concurrent clients, ${s.appliances} appliances`,
      figures: s.cases.flatMap((c) => figures(LABELS[c], results[c] as Measured)),
      comparison: comparison(results),
      goal: 'in the same run, ≥ 0.6× the bare server on SQLite and ≥ 0.5× on PostgreSQL, p99 < 50 ms, no errors',
      met: ratioGoalMet(results),
    };
  } finally {
    await server?.remove();
    rmSync(work, { recursive: true, force: true });
  }
}

export const checkinBenchmark: Benchmark = { id: 'checkin', run };
