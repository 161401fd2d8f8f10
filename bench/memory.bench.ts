import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult, Benchmark, Figure } from './bench.js';
import { ask, forkWithRequest, stopChild } from './support/child.js';
import { controllerEnv, controllerNodeArgs } from './support/controller-node-args.js';
import type { PassWindows, TargetCommand, TargetReady, TargetRequest } from './support/checkin-target-main.js';
import { chosenCases } from './support/cases.js';
import { createDatabase, startOwnPostgres } from './support/embedded-postgres.js';
import { memoryMap, peakResidentMb, type MemoryMap } from './support/memory-map.js';
import { RssSampler } from './support/rss.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const TARGET = join(here, 'support', 'checkin-target-main.js');
const CASES = ['sqlite', 'postgres'] as const;
type CaseName = (typeof CASES)[number];
/** The goal for a long run at 100,000 appliances: RSS under it from start-up on, passes included. */
const GOAL_MB = 300;

interface Settings {
  cases: CaseName[];
  appliances: number;
  passes: number;
  gapMs: number;
  /** How long the controller rests after its passes before its memory is read. */
  settleMs: number;
}

function settings(env: NodeJS.ProcessEnv): Settings {
  return {
    cases: chosenCases(env, CASES),
    appliances: Number(env.MUSTER_BENCH_APPLIANCES ?? 100_000),
    passes: Number(env.MUSTER_BENCH_PASSES ?? 10),
    gapMs: Number(env.MUSTER_BENCH_PASS_GAP_MS ?? 1_000),
    settleMs: Number(env.MUSTER_BENCH_SETTLE_MS ?? 15_000),
  };
}

interface Measured {
  /** The memory map right after start-up (the fleet loaded, the first pass done), then after the passes and the rest. */
  started: MemoryMap | null;
  settled: MemoryMap | null;
  /** The highest RSS from start-up to the end of the rest (the kernel's high-water mark), MB. */
  peakMb: number | null;
  /** The highest RSS sampled during the passes after start-up (every 10 ms), MB. */
  passesPeakMb: number | null;
  heaps: PassWindows['memory'];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The controller alone on a prepared fleet: started afresh, `passes` passes, then at rest. */
async function measure(request: TargetRequest, s: Settings): Promise<Measured> {
  const setup = await forkWithRequest<{ ready: TargetReady }>(TARGET, request);
  await stopChild(setup.child);
  const target = await forkWithRequest<{ ready: TargetReady }>(TARGET, { ...request, prepared: { tokens: setup.answer.ready.tokens } }, controllerNodeArgs(), controllerEnv());
  try {
    const pid = target.child.pid as number;
    const started = memoryMap(pid);
    const sampler = new RssSampler(pid, 10);
    sampler.enter('passes');
    const { memory } = await ask<PassWindows>(target.child, { passes: s.passes, gapMs: s.gapMs } satisfies TargetCommand);
    sampler.enter(null);
    sampler.stop();
    await sleep(s.settleMs);
    return { started, settled: memoryMap(pid), peakMb: peakResidentMb(pid), passesPeakMb: sampler.peak('passes'), heaps: memory };
  } finally {
    await stopChild(target.child);
  }
}

/** The floor: the benchmarks' target process (the controller's modules loaded) serving a bare HTTP server, no fleet. */
async function bareNode(): Promise<MemoryMap | null> {
  const target = await forkWithRequest<{ ready: TargetReady }>(TARGET, { mode: 'bare' } satisfies TargetRequest);
  try {
    return memoryMap(target.child.pid as number);
  } finally {
    await stopChild(target.child);
  }
}

const mb = (value: number | undefined) => Math.round(value ?? 0);

function figures(name: CaseName, m: Measured): Figure[] {
  const at = m.settled;
  return [
    { name: `${name}: RSS right after start-up → at rest after the passes`, value: mb(m.started?.total), unit: `MB → ${mb(at?.total)} MB` },
    { name: `${name}: peak RSS over the run (start-up included)`, value: mb(m.peakMb ?? undefined), unit: 'MB' },
    { name: `${name}: peak RSS during the passes after start-up (sampled every 10 ms)`, value: mb(m.passesPeakMb ?? undefined), unit: 'MB' },
    {
      name: `${name}: at rest: V8 heap pages, large anonymous mappings, malloc, node binary, other`,
      value: mb(at?.v8Pages),
      unit: `MB, ${mb(at?.largeAnonymous)} MB, ${mb(at?.malloc)} MB, ${mb(at?.node)} MB, ${mb(at?.other)} MB`,
    },
    {
      name: `${name}: V8 heaps used/committed after the passes: API thread, worker; external`,
      value: mb(m.heaps.apiHeap[0]),
      unit: `/${mb(m.heaps.apiHeap[1])} MB, ${mb(m.heaps.workerHeap[0])}/${mb(m.heaps.workerHeap[1])} MB; ${mb(m.heaps.external)} MB`,
    },
  ];
}

async function run(): Promise<BenchResult> {
  const s = settings(process.env);
  const work = mkdtempSync(join(tmpdir(), 'muster-bench-memory-'));
  const server = s.cases.includes('postgres') ? await startOwnPostgres() : null;
  try {
    const floor = await bareNode();
    const results: Partial<Record<CaseName, Measured>> = {};
    for (const name of s.cases) {
      const db = name === 'postgres' ? await createDatabase((server as NonNullable<typeof server>).url, 'bench_memory') : join(work, 'memory.db');
      results[name] = await measure({ mode: 'muster', db, fleetDir: join(work, name), appliances: s.appliances, reconcileWorker: 'auto', passesOnRequest: true }, s);
      process.stderr.write(`  ${name}: ${mb(results[name]?.settled?.total)} MB at rest\n`);
    }
    const rest = (c: CaseName) => results[c]?.settled?.total ?? Infinity;
    const peak = (c: CaseName) => results[c]?.peakMb ?? Infinity;
    return {
      title: `Controller memory at ${s.appliances} appliances: ${s.passes} passes ${s.gapMs} ms apart, then ${s.settleMs / 1000} s at rest, no check-ins`,
      figures: [{ name: 'bare Node HTTP server, the same modules loaded (floor): RSS', value: mb(floor?.total), unit: 'MB' }, ...s.cases.flatMap((c) => figures(c, results[c] as Measured))],
      comparison: s.cases.map((c) => `${c}: ${mb(rest(c))} MB at rest, ${(rest(c) / Math.max(1, floor?.total ?? 1)).toFixed(1)}× a bare Node server`).join('; '),
      goal: `under ${GOAL_MB} MB RSS over the whole run, start-up and passes included (at rest after the passes: ${s.cases.map((c) => `${c} ${rest(c) < GOAL_MB ? 'under' : 'over'}`).join(', ')})`,
      // The peak is the kernel's high-water mark, so it bounds the RSS at rest too.
      met: s.cases.every((c) => peak(c) < GOAL_MB),
    };
  } finally {
    await server?.remove();
    rmSync(work, { recursive: true, force: true });
  }
}

export const memoryBenchmark: Benchmark = { id: 'memory', run };
