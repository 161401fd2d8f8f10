import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { buildIncidentsDatabase } from '../helpers/incidents-fixture.js';
import type { Plan } from '../../controller/reconcile/plan.js';
import { UPDATE_BACKOFF } from '../../agent/core/work.js';
import { CliProcess, freePort, startMusterAgent, startMusterController } from '../agent/helpers/cli-processes.js';
import { ThrottledImageServer } from '../agent/helpers/throttled-image-server.js';
import { muster } from '../helpers/cli.js';
import { releaseYaml, smallFleetFiles, writeFiles } from '../helpers/fleet.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/tmp.js';
import { LONG, recordFigures, runs } from './scale.js';

const APPLIANCE = 'clinic-a-01';
const tmp = tempDir('muster-agent-kills-');
let images: ThrottledImageServer | null = null;
afterEach(async () => {
  await CliProcess.killAll();
  await images?.close();
  tmp.remove();
});

const sha256Of = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The process ids `pid` started, and theirs, from /proc (Linux). */
function descendants(pid: number): number[] {
  const file = `/proc/${pid}/task/${pid}/children`;
  const children = existsSync(file) ? readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number) : [];
  return children.flatMap((child) => [child, ...descendants(child)]);
}

/** Power loss: the agent and everything it started (the installer's shells) die at once, with SIGKILL. */
async function powerLoss(agent: CliProcess): Promise<void> {
  const pid = agent.child.pid as number;
  process.kill(pid, 'SIGSTOP');
  for (const child of descendants(pid)) {
    try {
      process.kill(child, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await agent.stop('SIGKILL');
}

/** The appliance's status in the controller's latest plan; null while the controller has none. */
/** The operator credential `GET /v1/status` asks for, issued with the appliance's token. */
let operator = '';

async function statusOf(port: number): Promise<string | null> {
  const read = fetch(`http://127.0.0.1:${port}/v1/status`, { headers: { authorization: `Bearer ${operator}` } });
  const plan = await read.then((r) => (r.ok ? (r.json() as Promise<Plan>) : null), () => null);
  return plan?.appliances.find((a) => a.id === APPLIANCE)?.status ?? null;
}

function incidentCount(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return Number(db.prepare('SELECT count(*) AS n FROM incidents').pluck().get());
  } finally {
    db.close();
  }
}

function integrity(path: string): string {
  const db = new Database(path, { readonly: true });
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}

describe('the agent killed at every step of an update and of pruning', () => {
  it('resumes, never reports a success it did not have, and never corrupts incidents.db', async () => {
    images = await new ThrottledImageServer().start();
    const dir = tmp.dir;
    const image = images.put('v1.0.51.img', randomBytes(2 * 1024 * 1024));
    const fleet = join(dir, 'fleet');
    writeFiles(fleet, {
      ...smallFleetFiles({ appliances: [APPLIANCE] }),
      'fleet.yaml': 'apiVersion: muster.dev/v1alpha1\nkind: Fleet\nmetadata:\n  name: test\nspec:\n  checkinInterval: 1s\n  offlineAfter: 5m\n',
      'releases/v1.0.51.yaml': releaseYaml('v1.0.51', '1.0.51', { version: '51', ...image }),
      'rollouts/v1.0.51.yaml': 'apiVersion: muster.dev/v1alpha1\nkind: Rollout\nmetadata:\n  name: v1.0.51\nspec:\n  release: v1.0.51\n  stages:\n    - percent: 100\n  progressDeadline: 1h\n',
    });
    const db = join(dir, 'controller.db');
    const token = (await muster(['appliance', 'token', APPLIANCE, '--repo', fleet, '--db', db])).stdout.trim();
    operator = (await muster(['operator', 'token', 'reliability', '--db', db])).stdout.trim();
    const versionFile = join(dir, 'version.json');
    writeFileSync(versionFile, JSON.stringify({ agentVersion: '1.0.45', imageVersion: '45' }));
    const installed = join(dir, 'installed.img');
    const installing = join(dir, 'installing');
    const script = join(dir, 'install.sh');
    // A slow installer: it marks that it runs, takes a while, then copies the image and writes the version.
    writeFileSync(script, ['#!/bin/sh', `touch "${installing}"`, 'sleep 1', `cp "$1" "${installed}" || exit 3`,
      `printf '{"agentVersion":"%s","imageVersion":"%s"}' "$2" "$MUSTER_IMAGE_VERSION" > "${versionFile}"`, ''].join('\n'));
    const incidents = join(dir, 'incidents.db');
    let built = buildIncidentsDatabase(incidents, { now: Date.now(), incidents: runs('incidents', 20_000, 200_000), seed: 7 });
    const port = await freePort();
    await startMusterController({ repo: fleet, db, port, interval: '500ms' });
    const stateDir = join(dir, 'state');
    // The first agent of a round is given no incidents database, so the round's first prune is the next one's.
    const agent = (prunes = true) => startMusterAgent(
      ['--server', `http://127.0.0.1:${port}`, '--state-dir', stateDir, '--version-file', versionFile, '--install-cmd', `sh ${script}`, ...(prunes ? ['--incidents-db', incidents] : [])],
      { env: { MUSTER_AGENT_TOKEN: token, MUSTER_LOG_LEVEL: 'debug' } },
    );

    // Watch what the controller is told: every "succeeded" must be backed by the installed image.
    const falseSuccesses: string[] = [];
    let watching = true;
    // Off while a new round starts over, until the controller has seen the appliance back on the old image.
    let checking = true;
    const watcher = (async () => {
      while (watching) {
        const status = await statusOf(port);
        if (checking && status === 'succeeded' && !(existsSync(installed) && sha256Of(installed) === image.sha256)) falseSuccesses.push(new Date().toISOString());
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    const partial = join(stateDir, 'images', `${image.sha256}.img`);
    const kills: string[] = [];
    const checks: string[] = [];
    const prunes: string[] = [];
    // Incidents left after each kill: a count between two prunes' results means one was cut mid-way.
    const left: number[] = [];
    const kill = async (a: CliProcess, step: string) => {
      await powerLoss(a);
      kills.push(step);
      checks.push(integrity(incidents));
      left.push(incidentCount(incidents));
    };
    const rounds = runs('agent_rounds', 1, 10);
    for (let round = 0; round < rounds; round += 1) {
      // 1. Mid-download (throttled).
      images.rate = 128 * 1024;
      let a = agent(false);
      await eventually(() => existsSync(partial) && statSync(partial).size > 64 * 1024, { what: () => `a partial image; agent:\n${a.output()}`, timeoutMs: 30_000 });
      if (!checking) {
        await eventually(() => statusOf(port).then((st) => st !== 'succeeded'), { what: 'the controller to see the old image again' });
        checking = true;
      }
      await kill(a, 'download');
      // 2. Mid-prune: at a random moment just after the first check-in, whose answer starts the first prune.
      a = agent();
      await a.waitForLog('checked in', 'a check-in', 30_000);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 300));
      const completed = a.logged('incidents pruned').length > 0;
      await kill(a, 'prune');
      prunes.push(`${completed ? 'completed' : 'interrupted'}: ${incidentCount(incidents)} of ${built.incidents} incidents left`);
      // 3. At verification, 4. mid-install (the installer dies too).
      images.rate = null;
      a = agent();
      await a.waitForLog('update verifying', `verification; agent:\n${a.output()}`, 30_000);
      await kill(a, 'verify');
      a = agent();
      await eventually(() => existsSync(installing), { what: 'the installer to start', timeoutMs: 30_000 });
      await kill(a, 'install');
      // Then it runs undisturbed: the update completes and is reported. Its attempt may be the third:
      // the kill at verification can land in the install, which fails that attempt too, so the agent
      // first waits out the second failure's backoff (full jitter, up to twice the base).
      a = agent();
      const thirdAttemptMs = 2 * UPDATE_BACKOFF.baseMs + 30_000;
      await eventually(async () => (await statusOf(port)) === 'succeeded', { what: () => `succeeded; agent:\n${a.output()}`, timeoutMs: thirdAttemptMs });
      await kill(a, 'after success');
      if (round + 1 < rounds) {
        // Start over as a new appliance on the old image, with a fresh incidents database to prune.
        checking = false;
        for (const path of [stateDir, installed, installing, incidents, `${incidents}-wal`, `${incidents}-shm`]) rmSync(path, { recursive: true, force: true });
        writeFileSync(versionFile, JSON.stringify({ agentVersion: '1.0.45', imageVersion: '45' }));
        built = buildIncidentsDatabase(incidents, { now: Date.now(), incidents: runs('incidents', 20_000, 200_000), seed: 7 + round });
      }
    }
    watching = false;
    await watcher;
    recordFigures('agent-kills', { rounds, kills: kills.length, steps: kills, prunes, incidentsLeft: left, integrity: checks, falseSuccesses: falseSuccesses.length });
    expect(checks.every((c) => c === 'ok')).toBe(true);
    expect(falseSuccesses).toEqual([]);
    expect(sha256Of(installed)).toBe(image.sha256);
    expect(JSON.parse(readFileSync(versionFile, 'utf8'))).toMatchObject({ imageVersion: '51' });
  }, LONG ? 3_600_000 : 180_000);
});
