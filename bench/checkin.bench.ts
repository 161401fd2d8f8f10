import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { BenchResult, Benchmark, Figure } from './bench.js';
import type { LoadOptions, LoadResult } from './load/checkin-load.js';
import { forkWithRequest, stopChild } from './support/child.js';
import { startOwnPostgres } from './support/embedded-postgres.js';
import type { TargetReady, TargetRequest } from './support/checkin-target-main.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const TARGET = join(here, 'support', 'checkin-target-main.js');
const LOAD = join(here, 'load', 'checkin-load-main.js');
const APPLIANCES = 10_000;
const CONNECTIONS = 64;
const DURATION_MS = 8_000;

/** A new database on the server of `serverUrl`; returns its URL. */
async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  return serverUrl.replace(/\/postgres$/, `/${name}`);
}

/** Serves one target in its own process and drives it from another; returns the load figures. */
async function measure(request: TargetRequest): Promise<LoadResult> {
  const target = await forkWithRequest<{ ready: TargetReady }>(TARGET, request);
  try {
    const options: LoadOptions = { url: target.answer.ready.url, tokens: target.answer.ready.tokens, connections: CONNECTIONS, durationMs: DURATION_MS };
    const load = await forkWithRequest<{ result: LoadResult }>(LOAD, options);
    return load.answer.result;
  } finally {
    await stopChild(target.child);
  }
}

function figures(label: string, r: LoadResult): Figure[] {
  return [
    { name: `${label}: check-ins/s`, value: r.perSecond, unit: '/s' },
    { name: `${label}: p50`, value: r.p50Ms, unit: 'ms' },
    { name: `${label}: p99`, value: r.p99Ms, unit: 'ms' },
    { name: `${label}: errors`, value: r.errors, unit: '' },
  ];
}

async function run(): Promise<BenchResult> {
  const work = mkdtempSync(join(tmpdir(), 'muster-bench-'));
  const server = await startOwnPostgres();
  try {
    const bare = await measure({ mode: 'bare' });
    const results: Record<string, LoadResult> = {};
    for (const [name, db] of [
      ['postgres', server.url],
      ['sqlite', join(work, 'muster.db')],
    ] as const) {
      for (const mode of ['muster', 'naive'] as const) {
        const dbFor = name === 'sqlite' ? `${db}.${mode}` : await createDatabase(db, `bench_${mode}`);
        results[`${name} ${mode}`] = await measure({ mode, db: dbFor, fleetDir: join(work, `${name}-${mode}`), appliances: APPLIANCES });
      }
    }
    const pgRate = results['postgres muster'] as LoadResult;
    const sqliteRate = results['sqlite muster'] as LoadResult;
    const ratio = (a: LoadResult, b: LoadResult) => (a.perSecond / b.perSecond).toFixed(2);
    return {
      title: `Durable check-ins over HTTP, ${CONNECTIONS} concurrent clients, ${APPLIANCES} appliances`,
      figures: [
        ...figures('bare Node HTTP server (ceiling)', bare),
        ...Object.entries(results).flatMap(([name, r]) => figures(name.replace('muster', 'group commit').replace('naive', 'one transaction per check-in'), r)),
      ],
      comparison:
        `PostgreSQL with group commit reaches ${ratio(pgRate, bare)}× the bare server's rate and ` +
        `${ratio(pgRate, results['postgres naive'] as LoadResult)}× one transaction per check-in; ` +
        `SQLite ${ratio(sqliteRate, bare)}× the bare server and ${ratio(sqliteRate, results['sqlite naive'] as LoadResult)}× one transaction per check-in.`,
      goal: '≥ 10,000 durable check-ins/s with p99 < 50 ms (PostgreSQL and SQLite)',
      met: [pgRate, sqliteRate].every((r) => r.perSecond >= 10_000 && r.p99Ms < 50 && r.errors === 0),
    };
  } finally {
    await server.remove();
    rmSync(work, { recursive: true, force: true });
  }
}

export const checkinBenchmark: Benchmark = { id: 'checkin', run };
