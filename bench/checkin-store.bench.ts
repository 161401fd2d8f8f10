import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { CheckinRequest } from '../controller/observed/state-schema.js';
import { openMigratedStore } from '../controller/store/open-store.js';
import type { CheckinRecord, Store } from '../controller/store/store.js';
import { median, timeMs, type BenchResult, type Benchmark, type Figure } from './bench.js';
import { startOwnPostgres } from './support/embedded-postgres.js';

const APPLIANCES = 10_000;
const BATCHED_CHECKINS = 40_000;
const NAIVE_CHECKINS = 2_000;
const BATCH_SIZES = [100, 1000];
const PROOFS = 200_000;

/** A check-in the size of a real one: an update in flight and a retention report. */
function report(i: number): CheckinRequest {
  return {
    agentVersion: '1.0.49',
    imageVersion: '49',
    update: { release: 'v1.0.51', phase: 'downloading', since: '2026-01-31T11:00:00Z', attempt: 1 + (i % 3), error: null },
    retention: { policyHash: 'd9'.repeat(32), lastPrunedAt: '2026-01-31T03:00:00Z', databaseBytes: 52_428_800 + i, incidents: 1200, oldestIncidentAt: '2026-01-01T09:12:00Z' },
  };
}

function checkins(count: number, start: number): CheckinRecord[] {
  // A stride through the fleet, as check-ins from many appliances interleave.
  return Array.from({ length: count }, (_, k) => {
    const i = start + k;
    return { appliance: `appliance-${String((i * 7919) % APPLIANCES).padStart(6, '0')}`, report: report(i), at: new Date(1_769_860_800_000 + i) };
  });
}

/** Check-ins/s writing `total` check-ins `batchSize` per transaction, and the median commit time. */
async function measureBatches(store: Store, total: number, batchSize: number, offset: number): Promise<{ perSecond: number; commitMs: number }> {
  const commits: number[] = [];
  const { ms } = await timeMs(async () => {
    for (let done = 0; done < total; done += batchSize) {
      const batch = checkins(Math.min(batchSize, total - done), offset + done);
      commits.push((await timeMs(() => store.recordCheckins(batch))).ms);
    }
  });
  return { perSecond: (total / ms) * 1000, commitMs: median(commits) };
}

/** Seeds pending proofs older than the cutoff with one statement, then times expireProofs and the rewrite of the rows behind it. */
async function measureExpiry(store: Store, seed: (count: number) => Promise<void>): Promise<{ perSecond: number; batchMs: number }> {
  await seed(PROOFS);
  const batches: number[] = [];
  let last = process.hrtime.bigint();
  // Until every row is rewritten: expireProofs itself only records the cutoff.
  const { ms, value } = await timeMs(async () => {
    const expired = await store.expireProofs(new Date('2026-01-24T00:00:00Z'), 5000, () => {
      const now = process.hrtime.bigint();
      batches.push(Number(now - last) / 1e6);
      last = now;
    });
    await store.rewriteExpiredProofs();
    return expired;
  });
  if (value !== PROOFS) throw new Error(`expired ${value} of ${PROOFS} proofs`);
  return { perSecond: (value / ms) * 1000, batchMs: Math.max(...batches) };
}

async function measureStore(label: string, db: string, seed: (count: number) => Promise<void>): Promise<{ figures: Figure[]; best: number; naive: number }> {
  const store = await openMigratedStore(db);
  try {
    // Warm up: every appliance has a row, so the batches below measure updates, the steady state.
    await store.recordCheckins(checkins(APPLIANCES, 0));
    const naive = await measureBatches(store, NAIVE_CHECKINS, 1, APPLIANCES);
    const figures: Figure[] = [
      { name: `${label}: one transaction per check-in`, value: naive.perSecond, unit: 'check-ins/s' },
      { name: `${label}: one transaction per check-in, commit p50`, value: naive.commitMs, unit: 'ms' },
    ];
    let best = 0;
    for (const size of BATCH_SIZES) {
      const batched = await measureBatches(store, BATCHED_CHECKINS, size, 2 * APPLIANCES);
      best = Math.max(best, batched.perSecond);
      figures.push(
        { name: `${label}: batches of ${size}`, value: batched.perSecond, unit: 'check-ins/s' },
        { name: `${label}: batches of ${size}, commit p50`, value: batched.commitMs, unit: 'ms' },
      );
    }
    const expiry = await measureExpiry(store, seed);
    figures.push(
      { name: `${label}: expiring ${PROOFS} proofs, 5000 per transaction`, value: expiry.perSecond, unit: 'proofs/s' },
      { name: `${label}: longest expiry batch`, value: expiry.batchMs, unit: 'ms' },
    );
    return { figures, best, naive: naive.perSecond };
  } finally {
    await store.close();
  }
}

async function run(): Promise<BenchResult> {
  const work = mkdtempSync(join(tmpdir(), 'muster-bench-store-'));
  const server = await startOwnPostgres();
  try {
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query('CREATE DATABASE bench_store');
    await admin.end();
    const pgUrl = server.url.replace(/\/postgres$/, '/bench_store');
    const pgSeed = async (count: number) => {
      const client = new pg.Client({ connectionString: pgUrl });
      await client.connect();
      await client.query(
        `INSERT INTO ots_proofs (bundle_id, bundle_sha256, status, created_at, proof, calendars)
         SELECT 'b-' || i, 'ab', 'pending', '2026-01-01T00:00:00Z', '\\x00'::bytea, '{}' FROM generate_series(1, $1::int) AS i`,
        [count],
      );
      await client.end();
    };
    const sqlitePath = join(work, 'muster.db');
    const sqliteSeed = async (count: number) => {
      const { default: Database } = await import('better-sqlite3');
      const db = new Database(sqlitePath);
      db.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
         INSERT INTO ots_proofs (bundle_id, bundle_sha256, status, created_at, proof, calendars)
         SELECT 'b-' || i, 'ab', 'pending', ?, X'00', '{}' FROM n`,
      ).run(count, Date.parse('2026-01-01T00:00:00Z'));
      db.close();
    };
    const postgres = await measureStore('PostgreSQL', pgUrl, pgSeed);
    const sqlite = await measureStore('SQLite', sqlitePath, sqliteSeed);
    return {
      title: `Check-in batches written straight into the stores (${APPLIANCES} appliances)`,
      figures: [...postgres.figures, ...sqlite.figures],
      comparison:
        `Batching is ${(postgres.best / postgres.naive).toFixed(1)}× one transaction per check-in on PostgreSQL ` +
        `and ${(sqlite.best / sqlite.naive).toFixed(1)}× on SQLite (each commit is durable: fsync on PostgreSQL, synchronous=FULL on SQLite).`,
      goal: 'the store alone writes ≥ 10,000 durable check-ins/s in batches, well above what the API needs',
      met: postgres.best >= 10_000 && sqlite.best >= 10_000,
    };
  } finally {
    await server.remove();
    rmSync(work, { recursive: true, force: true });
  }
}

export const checkinStoreBenchmark: Benchmark = { id: 'checkin-store', run };
