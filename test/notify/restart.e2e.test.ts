import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CliProcess, freePort } from '../agent/helpers/cli-processes.js';
import { muster } from '../helpers/cli.js';
import { smallFleetFiles, writeFiles } from '../helpers/fleet.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/tmp.js';
import { Receiver } from './receiver.js';

const MUSTER = fileURLToPath(new URL('../../dist/controller/cli/main.js', import.meta.url));

interface Listed {
  stats: { pending: number; delivered: number };
  notifications: { id: string; notifier: string; deliveredAt: string | null }[];
}

const notifierYaml = (urlFile: string) =>
  ['apiVersion: muster.dev/v1alpha1', 'kind: Notifier', 'metadata:', '  name: hook', 'spec:', '  format: json', '  urlFrom:', `    file: ${urlFile}`, ''].join('\n');

describe('notifications survive a controller killed between commit and send', () => {
  const cleanups: (() => void | Promise<void>)[] = [];
  afterEach(async () => {
    await CliProcess.killAll();
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  it('kill -9 after the plan committed its events: the restarted controller delivers every one, once', async () => {
    const tmp = tempDir('muster-notify-e2e-');
    cleanups.push(tmp.remove);
    const receiver = new Receiver();
    await receiver.up();
    cleanups.push(() => receiver.down());
    const repo = join(tmp.dir, 'fleet');
    const db = join(tmp.dir, 'muster.db');
    const urlFile = join(tmp.dir, 'hook-url');
    writeFiles(repo, { ...smallFleetFiles(), 'notifiers/hook.yaml': notifierYaml(urlFile) });
    const port = await freePort();
    const start = () =>
      new CliProcess(MUSTER, ['controller', '--repo', repo, '--db', db, '--listen', `127.0.0.1:${port}`, '--interval', '1s', '--public-url', 'https://muster.example'], {
        env: { MUSTER_LOG_LEVEL: 'info' },
      });
    const list = async (): Promise<Listed> => JSON.parse((await muster(['notifications', '--db', db, '--format', 'json'])).stdout) as Listed;

    // The URL file does not exist yet: events are committed with the plan, but none can be sent.
    const first = start();
    const committed = await eventually(async () => {
      const listed = await list().catch(() => null);
      return listed && listed.stats.pending > 0 ? listed : null;
    }, { what: () => `events in the outbox; controller stderr:\n${first.output()}`, timeoutMs: 30_000 });
    expect(await first.stop('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });
    expect(receiver.requests).toBe(0);
    const status = JSON.parse((await muster(['status', '--db', db, '--format', 'json'])).stdout) as { plan: { findings: { type: string; message: string }[] } };
    expect(status.plan.findings).toContainEqual(expect.objectContaining({ type: 'NotifierMisconfigured', message: expect.stringContaining(urlFile) }));

    writeFileSync(urlFile, `${receiver.url}\n`);
    const second = start();
    const ids = committed.notifications.map((n) => n.id);
    await eventually(() => ids.every((id) => receiver.unique().includes(id)), { what: () => `every committed event delivered; controller stderr:\n${second.output()}`, timeoutMs: 60_000 });
    const after = await eventually(async () => {
      const listed = await list();
      return listed.notifications.filter((n) => ids.includes(n.id)).every((n) => n.deliveredAt) ? listed : null;
    }, { what: 'the outbox to record the deliveries' });
    expect(after.notifications.filter((n) => ids.includes(n.id))).toHaveLength(ids.length);
    expect(receiver.delivered.length).toBe(receiver.unique().length);
    expect(await second.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    const text = await muster(['notifications', '--db', db]);
    expect(text.stdout).toMatch(/^Notifications: 0 pending, \d+ delivered, 0 given up\n/);
  }, 120_000);
});
