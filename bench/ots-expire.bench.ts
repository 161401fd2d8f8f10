import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { startController, type RunningController } from '../controller/runtime/controller.js';
import { DEFAULT_BATCH_SIZE } from '../controller/store/batches.js';
import { timeMs, type BenchResult, type Benchmark } from './bench.js';
import type { LoadStart, Sample } from './ots-expire-load-main.js';
import { writeBenchFleet } from './support/bench-fleet.js';
import { forkWithRequest, stopChild } from './support/child.js';
import { startOwnPostgres } from './support/embedded-postgres.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const LOAD = join(here, 'ots-expire-load-main.js');
const PROOFS = 1_000_000;
/** Recent pending proofs the expiry must leave alone. */
const RECENT = 10_000;
const APPLIANCES = 1_000;
const CONNECTIONS = 32;
/** Load before the idle window, so connection set-up and cold caches are not counted as idle latency. */
const WARM_MS = 3_000;
const IDLE_MS = 5_000;
const DAY_MS = 86_400_000;

/**
 * One statement: a million pending proofs created 8 to 30 days ago, shaped like real rows (a
 * proof of a few hundred bytes, two calendars' answers), and some recent ones.
 */
async function seedProofs(url: string, now: Date): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const calendars = JSON.stringify({
      'https://alice.btc.calendar.opentimestamps.org': { answer: 'pending', at: now.toISOString(), since: now.toISOString(), attempts: 3 },
      'https://bob.btc.calendar.opentimestamps.org': { answer: 'pending', at: now.toISOString(), since: now.toISOString(), attempts: 3 },
    });
    const insert = `INSERT INTO ots_proofs (bundle_id, bundle_sha256, status, created_at, proof, calendars)
      SELECT $1 || i, md5(i::text) || md5(i::text), 'pending', $2::timestamptz - (i % $3) * interval '1 second',
             decode(repeat(md5(i::text), 12), 'hex'), $4::jsonb
      FROM generate_series(1, $5::int) AS i`;
    await client.query(insert, ['old-', new Date(now.getTime() - 8 * DAY_MS), 22 * 86_400, calendars, PROOFS]);
    await client.query(insert, ['recent-', new Date(now.getTime() - DAY_MS), 86_400, calendars, RECENT]);
    await client.query('VACUUM ANALYZE ots_proofs');
    // The seed's dirty pages are written now, not during the idle window.
    await client.query('CHECKPOINT');
  } finally {
    await client.end();
  }
}

async function createDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  return serverUrl.replace(/\/postgres$/, `/${name}`);
}

function percentile(values: number[], p: number): number {
  const sorted = Float64Array.from(values).sort();
  return sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number) : NaN;
}

/** Tells the load child to stop and collects its samples. */
function stopLoad(child: ChildProcess): Promise<Sample[]> {
  return new Promise((resolve, reject) => {
    child.once('message', (message: { ok: boolean; samples?: Sample[]; error?: string }) =>
      message.ok ? resolve(message.samples ?? []) : reject(new Error(message.error)),
    );
    child.send('stop');
  });
}

/** Latency figures of the samples started within [from, to). */
function window(samples: Sample[], from: number, to: number) {
  const inside = samples.filter(([at]) => at >= from && at < to);
  const answered = inside.filter(([, , status]) => status === 200).map(([, ms]) => ms);
  return { count: inside.length, answered: answered.length, errors: inside.length - answered.length, p50: percentile(answered, 50), p99: percentile(answered, 99) };
}

async function run(): Promise<BenchResult> {
  const work = mkdtempSync(join(tmpdir(), 'muster-bench-ots-'));
  const server = await startOwnPostgres();
  let controller: RunningController | null = null;
  let load: ChildProcess | null = null;
  try {
    const url = await createDatabase(server.url, 'bench_ots');
    const ids = writeBenchFleet(join(work, 'fleet'), APPLIANCES);
    controller = await startController({
      repo: join(work, 'fleet'),
      db: url,
      host: '127.0.0.1',
      port: 0,
      logger: pino({ level: 'warn' }, pino.destination(2)),
      // The benchmark runs the expiry itself; the loop's own passes would only add noise.
      intervalMs: 3_600_000,
    });
    await controller.reconcileNow();
    const tokens: string[] = [];
    for (const id of ids) tokens.push((await controller.store.issueToken(id, { rotate: true })) as string);
    const now = new Date();
    const seeded = await timeMs(() => seedProofs(url, now));

    const started = await forkWithRequest<{ ok: true }>(LOAD, { url: controller.url, tokens, connections: CONNECTIONS } satisfies LoadStart);
    load = started.child;
    await new Promise((resolve) => setTimeout(resolve, WARM_MS));
    const idleFrom = Date.now();
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    const expiryFrom = Date.now();
    let batches = 0;
    const store = controller.store;
    const expiry = await timeMs(() => store.expireProofs(new Date(now.getTime() - 7 * DAY_MS), DEFAULT_BATCH_SIZE, () => (batches += 1)));
    const expiryTo = Date.now();
    const samples = await stopLoad(load);
    load = null;

    const stats = await store.proofStats(now);
    if (expiry.value !== PROOFS || stats.byStatus.pending !== RECENT) {
      throw new Error(`expired ${expiry.value} of ${PROOFS}; ${stats.byStatus.pending} pending left, want ${RECENT}`);
    }
    const idle = window(samples, idleFrom, expiryFrom);
    const during = window(samples, expiryFrom, expiryTo);
    const ratio = during.p99 / idle.p99;
    const seconds = expiry.ms / 1000;
    return {
      title: `Expiring ${PROOFS.toLocaleString('en')} OTS proofs on PostgreSQL while ${CONNECTIONS} clients check in`,
      figures: [
        { name: `seeding ${PROOFS.toLocaleString('en')} pending proofs (one INSERT … SELECT generate_series)`, value: seeded.ms / 1000, unit: 's' },
        { name: `expiry time (${DEFAULT_BATCH_SIZE} rows per transaction, ${batches} batches)`, value: seconds, unit: 's' },
        { name: 'expiry rate', value: PROOFS / seconds, unit: 'proofs/s' },
        { name: 'check-ins answered, idle', value: idle.answered, unit: '' },
        { name: 'check-ins answered during the expiry', value: during.answered, unit: '' },
        { name: 'check-in errors during the expiry', value: during.errors, unit: '' },
        { name: 'check-in p50, idle', value: idle.p50, unit: 'ms' },
        { name: 'check-in p50 during the expiry', value: during.p50, unit: 'ms' },
        { name: 'check-in p99, idle', value: idle.p99, unit: 'ms' },
        { name: 'check-in p99 during the expiry', value: during.p99, unit: 'ms' },
      ],
      comparison: `check-in p99 during the expiry is ${ratio.toFixed(2)}× the idle p99 of the same run (${during.answered} check-ins answered while it ran, ${idle.answered} in ${IDLE_MS / 1000} s before)`,
      goal: 'expire 1,000,000 proofs in under 10 s with check-in p99 during it at most 2× the idle p99',
      met: seconds < 10 && ratio <= 2 && during.errors === 0 && during.answered > 0,
    };
  } finally {
    if (load) await stopChild(load);
    await controller?.stop();
    await server.remove();
    rmSync(work, { recursive: true, force: true });
  }
}

export const otsExpireBenchmark: Benchmark = { id: 'ots-expire', run };
