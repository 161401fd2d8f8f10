import { execFileSync } from 'node:child_process';
import { mkdirSync, openSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkinBody } from '../api/api-harness.js';
import { smallFleetFiles, writeFiles } from '../helpers/fleet.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/tmp.js';
import { controllerFor, runCleanups, type Cleanups } from './harness.js';
import { recordFigures } from './scale.js';

const cleanups: Cleanups = [];
afterAll(() => runCleanups(cleanups));

/** A small filesystem of its own (tmpfs), so that filling it fills nothing else; null where mounting is not allowed. */
function smallDisk(sizeKiB: number): string | null {
  const dir = tempDir('muster-rel-disk-');
  cleanups.push(dir.remove);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k`, 'tmpfs', dir.dir], { stdio: 'ignore' });
  } catch {
    return null;
  }
  cleanups.push(() => void execFileSync('umount', [dir.dir], { stdio: 'ignore' }));
  return dir.dir;
}

/** Writes zeros into `path` until the filesystem has no room left. */
function fillUp(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(4096);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOSPC') throw err;
  } finally {
    closeSync(fd);
  }
}

async function checkin(url: string, token: string, n: number): Promise<{ status: number; retryAfter: string | null }> {
  const body = checkinBody({ retention: { policyHash: 'a'.repeat(64), lastPrunedAt: null, databaseBytes: n, incidents: n, oldestIncidentAt: null } });
  const res = await fetch(`${url}/v1/checkin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  await res.arrayBuffer();
  return { status: res.status, retryAfter: res.headers.get('retry-after') };
}

const disk = process.platform === 'linux' ? smallDisk(4096) : null;

describe.skipIf(disk === null)('a full disk under the SQLite store', () => {
  it('answers check-ins 503 with Retry-After, never 500, and recovers without a restart once there is room', async () => {
    const root = disk as string;
    const repo = join(root, 'fleet');
    mkdirSync(repo);
    writeFiles(repo, smallFleetFiles());
    const controller = await controllerFor(cleanups, repo, join(root, 'muster.db'));
    // Until its first plan the controller answers check-ins 503 with Retry-After (see checkin-route.ts).
    await controller.reconcileNow();
    const token = (await controller.store.issueToken('lab-01')) as string;
    expect((await checkin(controller.url, token, 0)).status).toBe(200);

    const filler = join(root, 'filler');
    fillUp(filler);
    const during: { status: number; retryAfter: string | null }[] = [];
    // Each check-in with new figures is a new history row: the writes soon need a page the disk lacks.
    for (let n = 1; n <= 300 && !during.some((d) => d.status !== 200); n += 1) during.push(await checkin(controller.url, token, n));
    // While the disk stays full, every check-in that needs room is refused the same way.
    for (let n = 301; n <= 320; n += 1) during.push(await checkin(controller.url, token, n));
    const refused = during.filter((d) => d.status !== 200);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused).toEqual(refused.map(() => ({ status: 503, retryAfter: expect.any(String) })));

    rmSync(filler);
    const back = Date.now();
    await eventually(async () => (await checkin(controller.url, token, 1000)).status === 200, { what: 'check-ins to succeed again', timeoutMs: 30_000 });
    recordFigures('sqlite-disk-full', { checkinsBeforeFull: during.length - refused.length, refused: refused.length, backMs: Date.now() - back });
  }, 60_000);
});
