import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { startController, type RunningController } from '../controller/runtime/controller.js';
import { DEFAULT_BATCH_SIZE } from '../controller/store/batches.js';
import { timeMs, type BenchResult, type Benchmark } from './bench.js';
import { summarize, type LoadOptions } from './load/checkin-load.js';
import { writeBenchFleet } from './support/bench-fleet.js';
import { forkWithRequest, stopChild, stopLoad } from './support/child.js';
import { createDatabase, startOwnPostgres } from './support/embedded-postgres.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const LOAD = join(here, 'load', 'checkin-load-main.js');
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Rows stored with each status (what the trailing rewrite changes; readers apply the cutoff). */
async function storedStatuses(url: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM ots_proofs GROUP BY status');
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  } finally {
    await client.end();
  }
}

/** Expiry against a running controller under load: when it takes effect, what readers then see, how long the rewrite trails. */
async function expireUnderLoad(controller: RunningController, ids: string[], url: string, now: Date) {
  const tokens = (await controller.store.issueTokens(ids, { rotate: true })).map((t) => t.token);
  const seeded = await timeMs(() => seedProofs(url, now));
  const options: LoadOptions = { url: controller.url, tokens, connections: CONNECTIONS };
  const { child } = await forkWithRequest<{ ok: true }>(LOAD, options);
  try {
    await sleep(WARM_MS);
    const idleFrom = Date.now();
    await sleep(IDLE_MS);
    const store = controller.store;
    let batches = 0;
    const expiryFrom = Date.now();
    const effect = await timeMs(() => store.expireProofs(new Date(now.getTime() - 7 * DAY_MS), DEFAULT_BATCH_SIZE, () => (batches += 1)));
    // Every reader, right away: the rewrite has barely begun.
    const read = await timeMs(async () => ({ stats: await store.proofStats(now), observed: (await store.loadObserved(now)).state.proofs }));
    const readTo = Date.now();
    const { stats, observed } = read.value;
    if (effect.value !== PROOFS || stats.byStatus.pending !== RECENT || stats.byStatus.expired !== PROOFS || observed.expired !== PROOFS) {
      throw new Error(`expired ${effect.value} of ${PROOFS}; readers see ${JSON.stringify(stats.byStatus)}, observed ${observed.expired} expired`);
    }
    const rewritten = await store.rewriteExpiredProofs();
    const rewriteTo = Date.now();
    const samples = await stopLoad(child);
    const stored = await storedStatuses(url);
    if (stored.pending !== RECENT || stored.expired !== PROOFS) throw new Error(`after the rewrite the rows are ${JSON.stringify(stored)}`);
    return {
      seeded,
      effect,
      read,
      rewriteMs: rewriteTo - expiryFrom,
      batches,
      rewritten,
      idle: summarize(samples, idleFrom, expiryFrom),
      during: summarize(samples, expiryFrom, rewriteTo),
      reading: summarize(samples, expiryFrom, readTo),
      rewriting: summarize(samples, readTo, rewriteTo),
    };
  } finally {
    await stopChild(child);
  }
}

async function run(): Promise<BenchResult> {
  const work = mkdtempSync(join(tmpdir(), 'muster-bench-ots-'));
  const server = await startOwnPostgres();
  let controller: RunningController | null = null;
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
    const m = await expireUnderLoad(controller, ids, url, new Date());
    const ratio = m.during.p99Ms / m.idle.p99Ms;
    const effectS = m.effect.ms / 1000;
    return {
      title: `Expiring ${PROOFS.toLocaleString('en')} OTS proofs on PostgreSQL while ${CONNECTIONS} clients check in`,
      figures: [
        { name: `seeding ${PROOFS.toLocaleString('en')} pending proofs (one INSERT … SELECT generate_series)`, value: m.seeded.ms / 1000, unit: 's' },
        { name: 'expiry in effect for every reader (expireProofs resolves: cutoff recorded, proofs counted)', value: m.effect.ms, unit: 'ms' },
        { name: 'reading every count right after (proofStats and loadObserved)', value: m.read.ms, unit: 'ms' },
        { name: `trailing rewrite of the rows, from the expiry until all are stored expired (${m.batches} batches of ${DEFAULT_BATCH_SIZE})`, value: m.rewriteMs / 1000, unit: 's' },
        { name: 'rewrite rate', value: PROOFS / (m.rewriteMs / 1000), unit: 'rows/s' },
        { name: 'check-ins answered, idle', value: m.idle.requests, unit: '' },
        { name: 'check-ins answered during the expiry and its rewrite', value: m.during.requests, unit: '' },
        { name: 'check-in errors during the expiry and its rewrite', value: m.during.errors, unit: '' },
        { name: 'check-in p50, idle', value: m.idle.p50Ms, unit: 'ms' },
        { name: 'check-in p50 during the expiry and its rewrite', value: m.during.p50Ms, unit: 'ms' },
        { name: 'check-in p99, idle', value: m.idle.p99Ms, unit: 'ms' },
        { name: 'check-in p99 during the expiry and its rewrite', value: m.during.p99Ms, unit: 'ms' },
        { name: 'check-in p99 while the expiry is recorded and every count read', value: m.reading.p99Ms, unit: 'ms' },
        { name: 'check-in p99 during the rewrite after that', value: m.rewriting.p99Ms, unit: 'ms' },
      ],
      comparison:
        `the expiry is in effect for every reader ${m.effect.ms.toFixed(0)} ms after it starts; the rows are rewritten behind it in ${(m.rewriteMs / 1000).toFixed(1)} s. ` +
        `Check-in p99 while both ran is ${ratio.toFixed(2)}× the idle p99 of the same run (${m.during.requests} check-ins answered meanwhile, ${m.idle.requests} in ${IDLE_MS / 1000} s before)`,
      goal: 'expire 1,000,000 proofs in under 10 s with check-in p99 during it at most 2× the idle p99',
      met: effectS < 10 && ratio <= 2 && m.during.errors === 0 && m.during.requests > 0,
    };
  } finally {
    await controller?.stop();
    await server.remove();
    rmSync(work, { recursive: true, force: true });
  }
}

export const otsExpireBenchmark: Benchmark = { id: 'ots-expire', run };
