import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApplianceStatus, Plan } from '../../controller/reconcile/plan.js';
import { muster } from '../helpers/cli.js';
import { releaseYaml, smallFleetFiles, writeFiles } from '../helpers/fleet.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/tmp.js';
import { CliProcess, freePort, startMusterAgent, startMusterController, type LogLine } from './helpers/cli-processes.js';
import { ThrottledImageServer } from './helpers/throttled-image-server.js';

const APPLIANCE = 'clinic-a-01';
/** Preloaded into the agent process so its backoff jitter draws the middle of each range, run after run. */
const PIN_JITTER = 'data:text/javascript,Math.random=()=>0.5';

interface Setup {
  dir: string;
  fleet: string;
  db: string;
  port: number;
  token: string;
  /** An operator credential, for `GET /v1/status`. */
  operator: string;
  image: { url: string; sha256: string; sizeBytes: number };
  stateDir: string;
  versionFile: string;
  /** Where the installer hook copies the image it is given. */
  installed: string;
  installCmd: string;
}

let tmp: ReturnType<typeof tempDir>;
let images: ThrottledImageServer;
let s: Setup;

/** One appliance, one release served by the image server, rolled out to everyone; check-ins every second. */
function fleetFiles(image: Setup['image']): Record<string, string> {
  return {
    ...smallFleetFiles({ appliances: [APPLIANCE] }),
    'fleet.yaml': 'apiVersion: muster.dev/v1alpha1\nkind: Fleet\nmetadata:\n  name: test\nspec:\n  checkinInterval: 1s\n  offlineAfter: 5m\n',
    'releases/v1.0.51.yaml': releaseYaml('v1.0.51', '1.0.51', { version: '51', ...image }),
    'rollouts/v1.0.51.yaml': 'apiVersion: muster.dev/v1alpha1\nkind: Rollout\nmetadata:\n  name: v1.0.51\nspec:\n  release: v1.0.51\n  stages:\n    - percent: 100\n  progressDeadline: 1h\n',
  };
}

beforeEach(async () => {
  tmp = tempDir('muster-agent-processes-');
  images = await new ThrottledImageServer().start();
  const dir = tmp.dir;
  const image = images.put('v1.0.51.img', randomBytes(3 * 1024 * 1024));
  const fleet = join(dir, 'fleet');
  writeFiles(fleet, fleetFiles(image));
  const db = join(dir, 'controller.db');
  const issued = await muster(['appliance', 'token', APPLIANCE, '--repo', fleet, '--db', db]);
  expect(issued.code, issued.stderr).toBe(0);
  const operator = await muster(['operator', 'token', 'tests', '--db', db]);
  expect(operator.code, operator.stderr).toBe(0);
  const versionFile = join(dir, 'version.json');
  writeFileSync(versionFile, JSON.stringify({ agentVersion: '1.0.45', imageVersion: '45' }));
  const installed = join(dir, 'installed.img');
  const script = join(dir, 'install.sh');
  // Installs by copying the image aside and writing the version file, as a system that needs no reboot would.
  writeFileSync(
    script,
    ['#!/bin/sh', `cp "$1" "${installed}" || exit 3`, `printf '{"agentVersion":"%s","imageVersion":"%s"}' "$2" "$MUSTER_IMAGE_VERSION" > "${versionFile}"`, ''].join('\n'),
  );
  s = {
    dir,
    fleet,
    db,
    port: await freePort(),
    token: issued.stdout.trim(),
    operator: operator.stdout.trim(),
    image,
    stateDir: join(dir, 'state'),
    versionFile,
    installed,
    installCmd: `sh ${script}`,
  };
});
afterEach(async () => {
  await CliProcess.killAll();
  await images.close();
  tmp.remove();
});

const controller = () => startMusterController({ repo: s.fleet, db: s.db, port: s.port });

function agent(options: { logLevel?: string; nodeArgs?: string[] } = {}): CliProcess {
  return startMusterAgent(
    ['--server', `http://127.0.0.1:${s.port}`, '--state-dir', s.stateDir, '--version-file', s.versionFile, '--install-cmd', s.installCmd],
    { env: { MUSTER_AGENT_TOKEN: s.token, MUSTER_LOG_LEVEL: options.logLevel ?? 'info' }, nodeArgs: options.nodeArgs ?? [] },
  );
}

/** The appliance as the running controller's `GET /v1/status` shows it; null while it has no plan or is down. */
async function statusOf(id: string): Promise<ApplianceStatus | null> {
  try {
    const res = await fetch(`http://127.0.0.1:${s.port}/v1/status`, { headers: { authorization: `Bearer ${s.operator}` } });
    if (!res.ok) return null;
    return ((await res.json()) as Plan).appliances.find((a) => a.id === id) ?? null;
  } catch {
    return null;
  }
}

function reportedSucceeded(timeoutMs: number): Promise<ApplianceStatus> {
  let last: ApplianceStatus | null = null;
  return eventually(
    async () => {
      last = await statusOf(APPLIANCE);
      return last?.status === 'succeeded' ? last : null;
    },
    { what: () => `the controller to report ${APPLIANCE} succeeded (last seen: ${JSON.stringify(last)})`, timeoutMs, everyMs: 200 },
  );
}

/** The check-in backoff with the jitter pinned at 0.5: half of min(5 min, 2 s × 2^(n−1)), never below 1 s. */
const pinnedDelay = (failure: number) => Math.max(1_000, Math.floor(0.5 * Math.min(300_000, 2_000 * 2 ** (failure - 1))));

const sha256Of = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('muster-agent and muster controller as processes', () => {
  it('backs off while the controller is away, resumes on schedule when it returns, and the update is reported succeeded', async () => {
    let running = await controller();
    images.rate = 0; // The download hangs until the controller has gone.
    const a = agent({ logLevel: 'debug', nodeArgs: ['--import', PIN_JITTER] });
    await a.waitForLog('update downloading', 'the agent to start on the release it was assigned');
    await a.waitForLog('checked in', 'a check-in');

    expect(await running.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    const stoppedAt = running.logged('controller stopped')[0]?.time as number;
    expect(stoppedAt).toBeGreaterThan(0);
    await eventually(() => a.logged('check-in failed').length >= 4, { what: () => `four failed check-ins; agent stderr:\n${a.output()}`, timeoutMs: 30_000 });

    // The agent keeps working on the target it was given: the update completes while the controller is away.
    images.rate = null;
    await a.waitForLog('update succeeded', 'the update to complete while the controller is away');
    running = await controller();
    const restartedAt = running.logged('controller started')[0]?.time as number;
    const resumed = await a.waitForLog('checked in', 'a check-in after the restart', 30_000, (l) => l.time > restartedAt);
    const reported = await reportedSucceeded(30_000);

    const failures = a.logged('check-in failed');
    const during = failures.filter((l) => l.time < resumed.time);
    expect(during).toEqual(failures);
    // Growing delays: each retry waits twice as long as the one before (jitter pinned), from the 1 s floor.
    expect(failures.map((l) => l.retryInMs)).toEqual(failures.map((_, i) => pinnedDelay(i + 1)));
    expect(failures.length).toBeGreaterThanOrEqual(4);
    for (const l of failures) expect(l.outcome).toMatch(/^(unreachable|retry-after)$/);
    // …and the agent really waited them out: no attempt came sooner than announced, so it never spun.
    for (let i = 1; i < failures.length; i++) {
      const prev = failures[i - 1] as LogLine;
      expect((failures[i] as LogLine).time - prev.time).toBeGreaterThanOrEqual((prev.retryInMs as number) - 2);
    }
    const outageMs = restartedAt - stoppedAt;
    expect(failures.length).toBeLessThanOrEqual(1 + Math.floor(outageMs / 1_000));
    // It came back at its next scheduled attempt after the restart, not later.
    const last = failures.at(-1) as LogLine;
    const due = last.time + (last.retryInMs as number);
    expect(due).toBeGreaterThanOrEqual(restartedAt - 1_000);
    expect(resumed.time - due).toBeGreaterThanOrEqual(-2);
    expect(resumed.time - due).toBeLessThan(3_000);
    // Back on the controller's 1 s interval (0: a check-in at once, with a phase to report).
    expect([0, 1_000]).toContain(resumed.nextInMs);

    expect(a.logged('update succeeded')[0]!.time).toBeLessThan(restartedAt);
    expect(reported).toMatchObject({ target: 'v1.0.51', status: 'succeeded' });
    const described = await muster(['describe', 'appliance', APPLIANCE, '--db', s.db]);
    expect(described.stdout).toMatch(/^Appliance clinic-a-01: succeeded, target v1\.0\.51/);
    expect(described.stdout).toMatch(/agent 1\.0\.51, image 51, v1\.0\.51 succeeded since \S+ \(attempt 1\)/);
    expect(sha256Of(s.installed)).toBe(s.image.sha256);
  }, 120_000);

  it('killed mid-download, resumes with a Range request after a restart and installs the verified image', async () => {
    await controller();
    images.rate = 256 * 1024;
    const partial = join(s.stateDir, 'images', `${s.image.sha256}.img`);
    const first = agent();
    await eventually(() => existsSync(partial) && statSync(partial).size >= 384 * 1024, { what: () => `part of the image on disk; agent stderr:\n${first.output()}`, timeoutMs: 30_000 });

    expect(await first.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    const kept = statSync(partial).size;
    const cut = images.requests[0]!;
    await eventually(() => cut.dropped, { what: 'the image server to see the connection go' });
    expect(cut).toMatchObject({ range: null, status: 200 });
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(cut.sent);
    expect(cut.sent).toBeLessThan(s.image.sizeBytes);
    expect(first.logged('update verifying')).toEqual([]);

    images.rate = null;
    const second = agent();
    const reported = await reportedSucceeded(60_000);

    expect(images.requests).toHaveLength(2);
    const resumed = images.requests[1]!;
    expect(resumed).toMatchObject({ range: `bytes=${kept}-`, status: 206, from: kept, complete: true });
    expect(resumed.ifRange).toMatch(/^"[0-9a-f]{16}"$/);
    expect(kept + resumed.sent).toBe(s.image.sizeBytes);
    expect(sha256Of(s.installed)).toBe(s.image.sha256);
    // The resumed download is the same attempt; the restart cost no retry.
    expect(second.logged('update succeeded')).toMatchObject([{ release: 'v1.0.51', attempt: 1, error: null }]);
    expect(second.logged('update downloading')).toEqual([]);
    expect(reported).toMatchObject({ target: 'v1.0.51', status: 'succeeded' });
  }, 120_000);
});
