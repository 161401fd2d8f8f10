import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentFixture, APPLIANCE } from './helpers/agent-fixture.js';
import { eventually } from '../helpers/eventually.js';
import type { Agent } from '../../agent/core/agent.js';

let f: AgentFixture;
beforeEach(async () => {
  f = await new AgentFixture().start();
});
afterEach(async () => {
  await f.close();
});

/** Steps the clock whenever the agent only waits, until the last report matches. */
function reported(agent: Agent, match: (r: NonNullable<ReturnType<AgentFixture['lastReport']>>) => boolean, what: string) {
  return eventually(
    () => {
      const last = f.lastReport();
      return last && match(last) ? last : null;
    },
    { clock: f.clock, quiet: () => !agent.busy, what },
  );
}

describe('an update', () => {
  it('downloads, verifies and installs a good image, and reports success once the version file shows it', async () => {
    const target = f.release('1.0.51');
    f.answer(target);
    const agent = f.agent();
    agent.start();

    const last = await reported(agent, (r) => r.update?.phase === 'succeeded', 'succeeded');

    expect(last).toMatchObject({ agentVersion: '1.0.51', imageVersion: '51', update: { release: 'v1.0.51', attempt: 1, error: null } });
    expect(f.phases()).toEqual(['downloading', 'verifying', 'installing', 'rebooting', 'succeeded']);
    for (const report of f.server.from(APPLIANCE)) {
      if (report.update?.phase === 'succeeded') expect(report.agentVersion).toBe('1.0.51');
    }
    const [imagePath, version] = readFileSync(f.installLog, 'utf8').trim().split(' ');
    expect(version).toBe('1.0.51');
    expect(imagePath).toMatch(new RegExp(`${target.image.sha256}\\.img$`));
    expect(readdirSync(join(f.stateDir, 'images'))).toEqual([]);
  });

  it('stays rebooting until the version file changes, then reports succeeded', async () => {
    f.answer(f.release('1.0.51'));
    const agent = f.agent({ installCmd: 'true' });
    agent.start();
    await reported(agent, (r) => r.update?.phase === 'rebooting', 'rebooting');
    const before = f.server.from(APPLIANCE).length;
    await reported(agent, () => f.server.from(APPLIANCE).length >= before + 3, 'three more check-ins');
    expect(f.lastReport()?.update?.phase).toBe('rebooting');

    f.writeVersion('1.0.51', '51');
    const last = await reported(agent, (r) => r.update?.phase === 'succeeded', 'succeeded');
    expect(last.agentVersion).toBe('1.0.51');
  });

  it('fails when the version file still shows the old version after the reboot timeout', async () => {
    f.answer(f.release('1.0.51'));
    const agent = f.agent({ installCmd: 'true', maxAttempts: 1, rebootTimeoutMs: 10 * 60_000 });
    agent.start();
    const last = await reported(agent, (r) => r.update?.phase === 'failed', 'failed');
    expect(last.update?.error).toBe('still running 1.0.45 10m after the install; expected 1.0.51');
  });

  it('fails an image whose sha256 differs, naming both hashes, retries with backoff, then gives up', async () => {
    const good = f.release('1.0.51');
    const declared = 'ab'.repeat(32);
    f.answer({ ...good, image: { ...good.image, sha256: declared } });
    const agent = f.agent({ maxAttempts: 2 });
    agent.start();

    const last = await reported(agent, (r) => r.update?.phase === 'failed' && r.update.attempt === 2, 'second failure');
    expect(last.update?.error).toBe(`sha256 mismatch: expected ${declared}, got ${good.image.sha256}`);
    expect(f.phases()).toEqual(['downloading', 'verifying', 'failed', 'downloading', 'verifying', 'failed']);
    // Each attempt downloaded the image whole: a corrupt file is never resumed from.
    expect(f.images.requests.map((r) => r.range)).toEqual([null, null]);
    const failures = f.events.filter((e) => e.type === 'phase' && e.phase === 'failed');
    const retry = f.events.find((e) => e.type === 'phase' && e.phase === 'downloading' && e.attempt === 2);
    expect(retry!.at - failures[0]!.at).toBeGreaterThanOrEqual(5_000);
    expect(existsSync(join(f.stateDir, 'images', `${declared}.img`))).toBe(false);
    expect(readFileSync(f.versionFile, 'utf8')).toContain('1.0.45');
  });

  it('fails a failing installer with its exit code and output', async () => {
    f.answer(f.release('1.0.51'));
    writeFileSync(join(f.dir, 'fail-install'), '');
    const agent = f.agent({ maxAttempts: 1 });
    agent.start();
    const last = await reported(agent, (r) => r.update?.phase === 'failed', 'failed');
    expect(last.update?.error).toBe('install command exited with code 4: disk full');
  });

  it('reports a size mismatch when the image is not the declared size', async () => {
    const good = f.release('1.0.51', 1000);
    f.answer({ ...good, image: { ...good.image, sizeBytes: 999 } });
    const agent = f.agent({ maxAttempts: 1 });
    agent.start();
    const last = await reported(agent, (r) => r.update?.phase === 'failed', 'failed');
    expect(last.update?.error).toBe('size mismatch: expected 999 bytes, the server sent more');
  });

  it('reports succeeded at once, attempt 0, when the appliance already runs the target', async () => {
    f.writeVersion('1.0.51', '51');
    f.answer(f.release('1.0.51'));
    const agent = f.agent();
    agent.start();
    const last = await reported(agent, (r) => r.update?.phase === 'succeeded', 'succeeded');
    expect(last.update?.attempt).toBe(0);
    expect(f.images.requests).toEqual([]);
  });
});
