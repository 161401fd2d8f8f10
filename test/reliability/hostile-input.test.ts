import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { checkinBody, post } from '../api/api-harness.js';
import { smallFleetFiles, writeFiles } from '../helpers/fleet.js';
import { tempDir } from '../helpers/tmp.js';
import { controllerFor, runCleanups, type Cleanups } from './harness.js';
import { hostileRequest, type Target } from './hostile-requests.js';
import { sendRaw, type RawOutcome } from './raw-http.js';
import { LONG, recordFigures, runs } from './scale.js';

const cleanups: Cleanups = [];
afterEach(() => runCleanups(cleanups));

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const heapAfterGc = (): number => {
  gc();
  return process.memoryUsage().heapUsed;
};

async function fleetController() {
  const repo = tempDir('muster-rel-repo-');
  const db = tempDir('muster-rel-db-');
  cleanups.push(repo.remove, db.remove);
  writeFiles(repo.dir, smallFleetFiles());
  const controller = await controllerFor(cleanups, repo.dir, `${db.dir}/muster.db`, { webhookSecret: 'hook-secret' });
  await controller.reconcileNow();
  const token = (await controller.store.issueToken('lab-01')) as string;
  return { controller, token };
}

const tally = (counts: Record<string, number>, outcome: RawOutcome) => {
  const key = String(outcome.status);
  counts[key] = (counts[key] ?? 0) + 1;
};

describe('hostile input', () => {
  it('never answers 5xx, never hangs, never crashes and keeps its memory flat', async () => {
    const { controller, token } = await fleetController();
    const target: Target = { token, webhookSecret: 'hook-secret', replayBody: '{"ref":"refs/heads/main"}' };
    const requests = runs('fuzz', 500, 10_000);
    const counts: Record<string, number> = {};
    const closedSamples: string[] = [];
    const warmUp = fc.sample(hostileRequest(target), { numRuns: 100, seed: 1 });
    for (const request of warmUp) await sendRaw(controller.url, request);
    const heapBefore = heapAfterGc();
    const started = Date.now();

    await fc.assert(
      fc.asyncProperty(hostileRequest(target), async (request) => {
        const outcome = await sendRaw(controller.url, request);
        tally(counts, outcome);
        if (outcome.status === 'closed' && closedSamples.length < 5) closedSamples.push(`${request.method} ${request.path.slice(0, 40)} [${request.headers.map(([n, v]) => `${n}: ${v.slice(0, 30)}`).join(', ').slice(0, 120)}] ${request.body.length} bytes`);
        expect(outcome.status === 'timeout' || (typeof outcome.status === 'number' && outcome.status >= 500), `${request.method} ${request.path.slice(0, 80)} → ${outcome.status}`).toBe(false);
      }),
      { numRuns: requests, endOnFailure: !LONG },
    );

    const heapGrowth = heapAfterGc() - heapBefore;
    const fiveXx = Object.entries(counts).filter(([status]) => /^5/.test(status)).reduce((n, [, c]) => n + c, 0);
    recordFigures('hostile-input', { requests, byStatus: counts, fiveXx, heapGrowthBytes: heapGrowth, closedSamples, seconds: (Date.now() - started) / 1000 });
    // The controller still serves its appliances.
    expect((await fetch(`${controller.url}/healthz`)).status).toBe(200);
    expect((await post(`${controller.url}/v1/checkin`, checkinBody(), token)).status).toBe(200);
    expect(heapGrowth).toBeLessThan(32 * 1024 * 1024);
  }, LONG ? 3_600_000 : 60_000);

  it('serves other appliances while slow clients trickle their bodies, and answers the slow ones too', async () => {
    const { controller, token } = await fleetController();
    const body = Buffer.from(JSON.stringify(checkinBody()));
    const headers: [string, string][] = [['content-type', 'application/json'], ['authorization', `Bearer ${token}`]];
    const slow = Array.from({ length: 20 }, () => sendRaw(controller.url, { method: 'POST', path: '/v1/checkin', headers, body, pieces: body.length, gapMs: 10 }));
    const quick: number[] = [];
    for (let i = 0; i < 30; i += 1) quick.push((await post(`${controller.url}/v1/checkin`, checkinBody(), token)).status);
    expect(quick.every((status) => status === 200)).toBe(true);
    expect((await Promise.all(slow)).map((o) => o.status)).toEqual(Array(20).fill(200));
  });
});
