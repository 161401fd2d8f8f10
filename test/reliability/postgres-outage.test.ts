import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkinBody } from '../api/api-harness.js';
import { startOwnPostgres, type OwnPostgres } from '../helpers/embedded-postgres.js';
import { smallFleetFiles, writeFiles } from '../helpers/fleet.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/tmp.js';
import { controllerFor, metricValue, runCleanups, scrape, type Cleanups } from './harness.js';
import { LONG, recordFigures } from './scale.js';

const cleanups: Cleanups = [];
let server: OwnPostgres;
beforeAll(async () => {
  server = await startOwnPostgres();
}, 60_000);
afterAll(async () => {
  await runCleanups(cleanups);
  await server?.remove();
});

/** One check-in with a 10 s ceiling: a hang is an outcome of its own, never a pass. */
async function checkinOutcome(url: string, token: string): Promise<{ status: number | 'hang'; retryAfter: string | null; ms: number }> {
  const started = Date.now();
  try {
    const res = await fetch(`${url}/v1/checkin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(checkinBody()),
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    return { status: res.status, retryAfter: res.headers.get('retry-after'), ms: Date.now() - started };
  } catch {
    return { status: 'hang', retryAfter: null, ms: Date.now() - started };
  }
}

const OUTAGES_S = LONG ? [30, 300] : [2];

describe('a PostgreSQL outage', () => {
  it.each(OUTAGES_S.map((seconds) => ({ seconds })))(
    'of $seconds s: check-ins get 503 with Retry-After, readyz is unready, the leader steps down, and all recovers without a restart',
    async ({ seconds }) => {
      const repo = tempDir('muster-rel-repo-');
      cleanups.push(repo.remove);
      writeFiles(repo.dir, smallFleetFiles());
      const db = `muster_outage_${seconds}`;
      const admin = await import('pg').then(({ default: pg }) => new pg.Client({ connectionString: server.url }));
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${db}`);
      await admin.query(`CREATE DATABASE ${db}`);
      await admin.end();
      const controller = await controllerFor(cleanups, repo.dir, server.url.replace(/\/postgres$/, `/${db}`), { intervalMs: 500, leaderHeartbeatMs: 200 });
      await eventually(() => controller.isLeader(), { what: 'leadership' });
      const token = (await controller.store.issueToken('lab-01')) as string;
      // 503 until the controller's first plan, then 200.
      await eventually(async () => (await checkinOutcome(controller.url, token)).status === 200, { what: 'a check-in answered 200' });

      await server.stop();
      const stoppedAt = Date.now();
      const during: Awaited<ReturnType<typeof checkinOutcome>>[] = [];
      let readyzDown = false;
      while (Date.now() - stoppedAt < seconds * 1000) {
        during.push(await checkinOutcome(controller.url, token));
        readyzDown ||= (await fetch(`${controller.url}/readyz`)).status === 503;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const leaderDuring = controller.isLeader();
      const leaderMetricDuring = metricValue(await scrape(controller.url), 'muster_leader');

      await server.start();
      const back = Date.now();
      await eventually(async () => (await checkinOutcome(controller.url, token)).status === 200, { what: 'check-ins to succeed again', timeoutMs: 60_000 });
      const checkinsBackMs = Date.now() - back;
      await eventually(async () => (await fetch(`${controller.url}/readyz`)).status === 200, { what: 'ready again', timeoutMs: 60_000 });
      await eventually(() => controller.isLeader(), { what: 'leadership again', timeoutMs: 60_000 });
      const leaderBackMs = Date.now() - back;
      const pass = await controller.reconcileNow();

      const statuses = during.map((d) => d.status);
      recordFigures('postgres-outage', {
        seconds,
        checkinsDuring: during.length,
        byStatus: Object.fromEntries([...new Set(statuses)].map((s) => [s, statuses.filter((x) => x === s).length])),
        maxLatencyMs: Math.max(...during.map((d) => d.ms)),
        checkinsBackMs,
        leaderBackMs,
      });
      expect(statuses.filter((s) => s !== 503 && s !== 200)).toEqual([]);
      expect(during.filter((d) => d.status === 503).every((d) => Number(d.retryAfter) > 0)).toBe(true);
      expect(statuses.filter((s) => s === 503).length).toBeGreaterThan(0);
      expect(readyzDown).toBe(true);
      expect(leaderDuring).toBe(false);
      expect(leaderMetricDuring).toBe(0);
      expect(pass.kind).toBe('planned');
    },
    LONG ? 900_000 : 60_000,
  );
});
