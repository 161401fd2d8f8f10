import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GroupCommitOptions } from '../controller/api/group-commit.js';
import type { BenchResult, Benchmark, Figure } from './bench.js';
import type { LoadOptions, LoadResult } from './load/checkin-load.js';
import { ask, forkWithRequest, stopChild } from './support/child.js';
import { createDatabase, startOwnPostgres } from './support/embedded-postgres.js';
import type { TargetCommand, TargetReady, TargetRequest } from './support/checkin-target-main.js';
import { metricsSince, passFigures, scrapeTargetMetrics, type TargetMetrics } from './support/target-metrics.js';
import { chosenCases } from './support/cases.js';
import { cpuSnapshot, cpuSpentMs } from './support/proc-cpu.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const TARGET = join(here, 'support', 'checkin-target-main.js');
const LOAD = join(here, 'load', 'checkin-load-main.js');
const CONNECTIONS = 64;

/** The cases, in the order they run; `MUSTER_BENCH_CASES=bare,sqlite` runs a subset. */
const CASES = ['bare', 'postgres', 'postgres-naive', 'sqlite', 'sqlite-naive'] as const;
type CaseName = (typeof CASES)[number];

/** Knobs for investigating (profiles, a bigger fleet); the recorded figures use the defaults. */
interface Settings {
  cases: CaseName[];
  appliances: number;
  durationMs: number;
  /** A directory for one CPU profile per case, of the target process while under load. */
  profileDir: string | null;
  /** Group commit settings (JSON) instead of the API's defaults, to compare them. */
  groupCommit: GroupCommitOptions | undefined;
}

function settings(env: NodeJS.ProcessEnv): Settings {
  return {
    cases: chosenCases(env, CASES),
    appliances: Number(env.MUSTER_BENCH_APPLIANCES ?? 10_000),
    durationMs: Number(env.MUSTER_BENCH_DURATION_MS ?? 8_000),
    profileDir: env.MUSTER_BENCH_PROFILE ? resolve(env.MUSTER_BENCH_PROFILE) : null,
    groupCommit: env.MUSTER_BENCH_GROUP_COMMIT ? (JSON.parse(env.MUSTER_BENCH_GROUP_COMMIT) as GroupCommitOptions) : undefined,
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

/** Serves one target in its own process and drives it from another; returns the load figures. */
async function measure(name: CaseName, request: TargetRequest, s: Settings, postgresPid?: number): Promise<Measured> {
  const started = Date.now();
  const target = await forkWithRequest<{ ready: TargetReady }>(TARGET, request);
  const setupMs = Date.now() - started;
  try {
    const { url, tokens } = target.answer.ready;
    const options: LoadOptions = { url, tokens, connections: CONNECTIONS, durationMs: s.durationMs };
    const before = request.mode === 'bare' ? null : await scrapeTargetMetrics(url);
    if (s.profileDir) await ask(target.child, { profile: 'start' } satisfies TargetCommand);
    const cpuBefore = { controller: cpuSnapshot(target.child.pid), postgres: cpuSnapshot(postgresPid) };
    const load = await forkWithRequest<{ result: LoadResult }>(LOAD, options);
    const perCheckinUs = (ms: number) => (1000 * ms) / Math.max(1, load.answer.result.requests);
    const cpu = {
      controllerUs: perCheckinUs(cpuSpentMs(cpuBefore.controller, cpuSnapshot(target.child.pid))),
      postgresUs: postgresPid === undefined ? null : perCheckinUs(cpuSpentMs(cpuBefore.postgres, cpuSnapshot(postgresPid))),
      loadUs: load.answer.result.cpuMs === undefined ? null : perCheckinUs(load.answer.result.cpuMs),
    };
    if (s.profileDir) await ask(target.child, { profile: 'stop', file: join(s.profileDir, `${name}.cpuprofile`) } satisfies TargetCommand);
    const metrics = before ? metricsSince(before, await scrapeTargetMetrics(url)) : null;
    return { load: load.answer.result, target: metrics, steadyPassMs: target.answer.ready.steadyPassMs, setupMs, cpu };
  } finally {
    await stopChild(target.child);
  }
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
  return (
    `PostgreSQL with group commit reaches ${ratio('postgres', 'bare')} the bare server's rate and ` +
    `${ratio('postgres', 'postgres-naive')} one transaction per check-in; ` +
    `SQLite ${ratio('sqlite', 'bare')} the bare server and ${ratio('sqlite', 'sqlite-naive')} one transaction per check-in.`
  );
}

async function run(): Promise<BenchResult> {
  const s = settings(process.env);
  if (s.profileDir) mkdirSync(s.profileDir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'muster-bench-'));
  const needsPostgres = s.cases.some((c) => c.startsWith('postgres'));
  const server = needsPostgres ? await startOwnPostgres() : null;
  try {
    const results: Partial<Record<CaseName, Measured>> = {};
    for (const name of s.cases) {
      if (name === 'bare') {
        results[name] = await measure(name, { mode: 'bare' }, s);
        continue;
      }
      const mode = name.endsWith('naive') ? 'naive' : 'muster';
      const db = name.startsWith('postgres')
        ? await createDatabase((server as NonNullable<typeof server>).url, `bench_${mode}`)
        : join(work, `muster.${mode}.db`);
      const request: TargetRequest = { mode, db, fleetDir: join(work, name), appliances: s.appliances };
      if (s.groupCommit) request.groupCommit = s.groupCommit;
      results[name] = await measure(name, request, s, name.startsWith('postgres') ? server?.pid() : undefined);
      process.stderr.write(`  ${name}: ${Math.round(results[name]?.load.perSecond ?? 0)}/s (setup ${results[name]?.setupMs} ms)\n`);
    }
    const goalCases = (['postgres', 'sqlite'] as const).map((c) => results[c]).filter((m): m is Measured => m !== undefined);
    return {
      title: `Durable check-ins over HTTP, ${CONNECTIONS} concurrent clients, ${s.appliances} appliances`,
      figures: s.cases.flatMap((c) => figures(LABELS[c], results[c] as Measured)),
      comparison: comparison(results),
      goal: '≥ 10,000 durable check-ins/s with p99 < 50 ms (PostgreSQL and SQLite)',
      met: goalCases.length === 2 && goalCases.every((m) => m.load.perSecond >= 10_000 && m.load.p99Ms < 50 && m.load.errors === 0),
    };
  } finally {
    await server?.remove();
    rmSync(work, { recursive: true, force: true });
  }
}

export const checkinBenchmark: Benchmark = { id: 'checkin', run };
