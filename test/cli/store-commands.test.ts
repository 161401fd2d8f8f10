import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStateText } from '../../controller/observed/read-state.js';
import { startController, type RunningController } from '../../controller/runtime/controller.js';
import { checkinBody, post } from '../api/api-harness.js';
import { muster } from '../helpers/cli.js';
import { smallFleetFiles, writeFiles } from '../helpers/fleet.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/tmp.js';

describe('CLI commands against a live store', () => {
  let tmp: ReturnType<typeof tempDir>;
  let db: string;
  let controller: RunningController;

  beforeAll(async () => {
    tmp = tempDir();
    writeFiles(join(tmp.dir, 'fleet'), smallFleetFiles());
    db = join(tmp.dir, 'muster.db');
    controller = await startController({ repo: join(tmp.dir, 'fleet'), db, host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }), intervalMs: 60_000 });
    await controller.reconcileNow();
  });
  afterAll(async () => {
    await controller.stop();
    tmp.remove();
  });

  it('issues an operator credential alone on stdout that opens /v1/status, refuses a second without --rotate, rotates', async () => {
    const statusWith = async (credential: string) =>
      (await fetch(`${controller.url}/v1/status`, { headers: { authorization: `Bearer ${credential}` } })).status;
    const first = await muster(['operator', 'token', 'oncall', '--db', db]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^mso_[A-Za-z0-9_-]{43}\n$/);
    expect(await statusWith(first.stdout.trim())).toBe(200);

    const again = await muster(['operator', 'token', 'oncall', '--db', db]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already has a credential: use --rotate/);

    const rotated = await muster(['operator', 'token', 'oncall', '--rotate', '--db', db]);
    expect(rotated.code).toBe(0);
    expect(await statusWith(first.stdout.trim())).toBe(401);
    expect(await statusWith(rotated.stdout.trim())).toBe(200);

    const badName = await muster(['operator', 'token', '../x', '--db', db]);
    expect(badName.code).toBe(2);
  });

  it('issues a token alone on stdout that the API accepts, refuses a second without --rotate, rotates', async () => {
    const first = await muster(['appliance', 'token', 'lab-01', '--db', db]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^mst_[A-Za-z0-9_-]+\n$/);
    const token = first.stdout.trim();
    expect((await post(`${controller.url}/v1/checkin`, checkinBody(), token)).status).toBe(200);

    const again = await muster(['appliance', 'token', 'lab-01', '--db', db]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already has a token: use --rotate/);

    const rotated = await muster(['appliance', 'token', 'lab-01', '--rotate', '--db', db]);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout.trim()).not.toBe(token);
    // The new token works at once; the old one stops working once the controller's token cache has
    // read the change another process made (it polls every second).
    expect((await post(`${controller.url}/v1/checkin`, checkinBody(), rotated.stdout.trim())).status).toBe(200);
    await eventually(async () => (await post(`${controller.url}/v1/checkin`, checkinBody(), token)).status === 401, { what: 'the rotated token to be refused', timeoutMs: 5_000 });
  });

  it('refuses a token for an appliance that is not declared', async () => {
    const res = await muster(['appliance', 'token', 'ghost-01', '--db', db]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/ghost-01 is not a declared appliance/);
  });

  it('issues tokens for every declared appliance without one, as JSON', async () => {
    const res = await muster(['appliance', 'token', '--all', '--format', 'json', '--db', db]);
    expect(res.code).toBe(0);
    const { tokens } = JSON.parse(res.stdout) as { tokens: { appliance: string; token: string }[] };
    expect(tokens.map((t) => t.appliance).sort()).toEqual(['clinic-a-01', 'clinic-b-01']);
    const again = JSON.parse((await muster(['appliance', 'token', '--all', '--format', 'json', '--db', db])).stdout) as { tokens: unknown[] };
    expect(again.tokens).toEqual([]);
  });

  it('exports the observed state, and an import into another database exports the same document', async () => {
    const out = join(tmp.dir, 'state.json');
    expect((await muster(['state', 'export', '--db', db, '--out', out])).code).toBe(0);
    const exported = parseStateText(readFileSync(out, 'utf8'));
    expect(exported.ok).toBe(true);
    const other = join(tmp.dir, 'other.db');
    const imported = await muster(['state', 'import', '-', '--db', other], { input: readFileSync(out, 'utf8') });
    expect(imported.code).toBe(0);
    const again = parseStateText((await muster(['state', 'export', '--db', other])).stdout);
    if (!exported.ok || !again.ok) throw new Error('export is not a State document');
    expect({ ...again.state, exportedAt: null }).toEqual({ ...exported.state, exportedAt: null });
    expect(exported.state.rollouts[0]?.assignments.length).toBe(2);
  });

  it('refuses to import a document that is not a State, with its JSON path, exit 2', async () => {
    const res = await muster(['state', 'import', '-', '--db', join(tmp.dir, 'x.db')], { input: '{"apiVersion":"muster.dev/v1alpha1","kind":"State"}' });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/exportedAt|appliances/);
  });

  it('shows status, and describes a rollout and an appliance', async () => {
    const status = await muster(['status', '--db', db]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/ROLLOUT\s+RELEASE\s+STAGE\s+PHASE/);
    expect(status.stdout).toMatch(/v1\.0\.51\s+v1\.0\.51\s+1\/2/);
    const rollout = await muster(['describe', 'rollout', 'v1.0.51', '--db', db]);
    expect(rollout.code).toBe(0);
    expect(rollout.stdout).toMatch(/Stage 1: 50% = 2 of 3 \(current\)/);
    expect(rollout.stdout).toMatch(/Events \(newest first\)/);
    const appliance = await muster(['describe', 'appliance', 'lab-01', '--db', db]);
    expect(appliance.code).toBe(0);
    expect(appliance.stdout).toMatch(/^Appliance lab-01: /);
    expect(appliance.stdout).toMatch(/Last check-in/);
  });

  it('says there is no database rather than creating one', async () => {
    const res = await muster(['status', '--db', join(tmp.dir, 'nope.db')]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/no Muster database at/);
  });
});

describe('muster plan --db', () => {
  it('plans a fleet repository against the live state of a store', async () => {
    const tmp = tempDir();
    writeFiles(join(tmp.dir, 'fleet'), smallFleetFiles());
    const db = join(tmp.dir, 'muster.db');
    const controller = await startController({ repo: join(tmp.dir, 'fleet'), db, host: '127.0.0.1', port: 0, logger: pino({ level: 'silent' }), intervalMs: 60_000 });
    await controller.reconcileNow();
    await controller.stop();
    const res = await muster(['plan', '--repo', join(tmp.dir, 'fleet'), '--db', db, '--format', 'json']);
    const missing = await muster(['plan', '--repo', join(tmp.dir, 'fleet'), '--db', join(tmp.dir, 'none.db')]);
    tmp.remove();
    expect(res.code).toBe(0);
    const plan = JSON.parse(res.stdout) as { rollouts: { name: string; stage: number; counts: { targeted: number } }[]; actions: unknown[] };
    // The store already holds the first stage's two assignments: nothing left to do at this point.
    expect(plan.rollouts).toMatchObject([{ name: 'v1.0.51', stage: 1, counts: { targeted: 2 } }]);
    expect(plan.actions).toEqual([]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no Muster database/);
  });
});
