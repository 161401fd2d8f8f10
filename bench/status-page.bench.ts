import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { Page } from 'playwright-core';
import { ControllerMetrics } from '../controller/api/metrics.js';
import { ResponseIndex } from '../controller/api/response-index.js';
import { buildApi } from '../controller/api/server.js';
import { loadFleetDirectory } from '../controller/desired/load-directory.js';
import type { DesiredState } from '../controller/desired/types.js';
import type { StateDocument } from '../controller/observed/state-schema.js';
import { applyPlanToState } from '../controller/reconcile/apply.js';
import type { Plan } from '../controller/reconcile/plan.js';
import { reconcile } from '../controller/reconcile/reconcile.js';
import { openMigratedStore } from '../controller/store/open-store.js';
import type { Store } from '../controller/store/store.js';
import { clockReading } from '../lib/clock.js';
import { launchChromium } from '../scripts/chromium.js';
import { median, timeMs, type Benchmark, type BenchResult } from './bench.js';
import { writeBenchFleet } from './support/bench-fleet.js';

const APPLIANCES = Number(process.env.MUSTER_BENCH_PAGE_APPLIANCES ?? 10_000);
const LOADS = 15;
const GOAL_MS = 1000;
const NOW = new Date('2026-12-04T12:00:00Z');

/** A fleet mid-rollout: everyone checked in on the old release, stage 1 assigned, a tenth of it stuck downloading. */
async function fleetPlan(dir: string): Promise<{ desired: DesiredState; plan: Plan }> {
  writeBenchFleet(dir, APPLIANCES);
  const loaded = await loadFleetDirectory(dir);
  if (!loaded.ok) throw new Error('the benchmark fleet does not load');
  const desired = loaded.state;
  const seen = new Date(NOW.getTime() - 30_000).toISOString();
  let state: StateDocument = {
    apiVersion: 'muster.dev/v1alpha1',
    kind: 'State',
    exportedAt: NOW.toISOString(),
    appliances: desired.appliances.map((a) => ({ id: a.name, lastCheckinAt: seen, agentVersion: '1.0.49', imageVersion: '49', update: null, retention: null })),
    rollouts: [],
    proofs: { pending: [], anchored: 0, expired: 0, failed: 0 },
  };
  state = applyPlanToState(state, reconcile(desired, state, new Date(NOW.getTime() - 3 * 3_600_000)));
  const assigned = new Set(state.rollouts.flatMap((r) => r.assignments.map((x) => x.appliance)));
  let i = 0;
  state.appliances = state.appliances.map((a) => {
    if (!assigned.has(a.id)) return a;
    i++;
    const since = new Date(NOW.getTime() - 2 * 3_600_000).toISOString();
    if (i % 10 === 0) return { ...a, update: { release: 'v1.0.51', phase: 'downloading', since, attempt: 1, error: null } };
    return { ...a, imageVersion: '51', update: { release: 'v1.0.51', phase: 'succeeded', since, attempt: 1, error: null } };
  });
  return { desired, plan: reconcile(desired, state, NOW) };
}

/**
 * Load times in ms of each URL (navigation start to the end of the load event, as the browser measures
 * them), the URLs taken in turn so that a busy moment of the shared machine hits them all alike.
 */
async function loadTimes(page: Page, urls: string[]): Promise<number[][]> {
  const times = urls.map((): number[] => []);
  for (let n = 0; n < LOADS; n++) {
    for (const [i, url] of urls.entries()) {
      await page.goto(url, { waitUntil: 'load' });
      times[i]?.push(await page.evaluate<number>("performance.getEntriesByType('navigation')[0].loadEventEnd"));
    }
  }
  return times;
}

/** A bare Node server answering every path with the given bytes (the page), or with the page's assets. */
async function staticServer(pageHtml: string, assets: Map<string, { type: string; body: string }>): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const asset = assets.get(req.url ?? '');
    // The same caching as the controller's answers: assets for an hour, the page never.
    res.writeHead(200, { 'content-type': asset?.type ?? 'text/html; charset=utf-8', 'cache-control': asset ? 'public, max-age=3600' : 'no-store' });
    res.end(asset?.body ?? pageHtml);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function measure(store: Store, desired: DesiredState, plan: Plan): Promise<BenchResult> {
  await store.saveDesiredState({ revision: desired.revision, objects: desired.objects, appliedAt: NOW.toISOString() });
  const operator = (await store.issueOperatorToken('bench')) as string;
  const index = new ResponseIndex(desired, plan);
  const api = await buildApi({
    store,
    view: { responses: () => index, plan: () => plan, readiness: () => ({ desiredLoaded: true, revision: desired.revision, sourceError: null }) },
    metrics: new ControllerMetrics(),
    logger: pino({ level: 'silent' }),
    clock: clockReading(() => NOW.getTime()),
  });
  const url = await api.listen({ host: '127.0.0.1', port: 0 });
  const auth = { authorization: `Bearer ${operator}` };
  const overviewHtml = await (await fetch(`${url}/`, { headers: auth })).text();
  const assets = new Map<string, { type: string; body: string }>();
  for (const name of ['htmx.min.js', 'page.js', 'page.css']) {
    const res = await fetch(`${url}/assets/${name}`);
    assets.set(`/assets/${name}`, { type: res.headers.get('content-type') ?? '', body: await res.text() });
  }
  const baseline = await staticServer(overviewHtml, assets);
  const serverTimes: number[] = [];
  for (let n = 0; n < LOADS; n++) serverTimes.push((await timeMs(async () => (await fetch(`${url}/`, { headers: auth })).text())).ms);
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ extraHTTPHeaders: auth });
    const page = await context.newPage();
    const [overview, staticPage, rollout, appliances] = (await loadTimes(page, [
      `${url}/`,
      `${baseline.url}/`,
      `${url}/rollouts/v1.0.51`,
      `${url}/appliances?status=succeeded`,
    ])) as [number[], number[], number[], number[]];
    const m = median(overview);
    const b = median(staticPage);
    return {
      title: `Status page of a ${APPLIANCES.toLocaleString('en')}-appliance fleet in headless Chromium`,
      figures: [
        { name: 'overview `/` load, median', value: m, unit: 'ms' },
        { name: 'overview `/` load, max', value: Math.max(...overview), unit: 'ms' },
        { name: 'baseline: the same page from a bare Node server, median', value: b, unit: 'ms' },
        { name: 'baseline, max', value: Math.max(...staticPage), unit: 'ms' },
        { name: 'rollout page (both stages, every member sorted, 50 shown per stage) load, median', value: median(rollout), unit: 'ms' },
        { name: 'rollout page load, max', value: Math.max(...rollout), unit: 'ms' },
        { name: 'appliances page (succeeded ones, first 100) load, median', value: median(appliances), unit: 'ms' },
        { name: 'appliances page load, max', value: Math.max(...appliances), unit: 'ms' },
        { name: 'overview size', value: overviewHtml.length / 1024, unit: 'KiB' },
        { name: 'overview rendered by the controller (request to last byte, from Node), median', value: median(serverTimes), unit: 'ms' },
        { name: 'overview rendered by the controller, max', value: Math.max(...serverTimes), unit: 'ms' },
      ],
      comparison: `the overview loads in ${(m / b).toFixed(2)}× the time of the same bytes served statically (${LOADS} loads each)`,
      goal: `the overview renders in under ${GOAL_MS} ms in the browser`,
      met: Math.max(...overview) < GOAL_MS,
    };
  } finally {
    await browser.close();
    baseline.server.close();
    await api.close();
  }
}

/** `npm run bench -- status-page`: the status page's load time for a 10,000-appliance fleet, against a static page. */
export const statusPageBenchmark: Benchmark = {
  id: 'status-page',
  run: async () => {
    const work = mkdtempSync(join(tmpdir(), 'muster-bench-page-'));
    const store = await openMigratedStore(join(work, 'muster.db'));
    try {
      const { desired, plan } = await fleetPlan(join(work, 'fleet'));
      return await measure(store, desired, plan);
    } finally {
      await store.close();
      rmSync(work, { recursive: true, force: true });
    }
  },
};
