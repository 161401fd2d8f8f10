import pino from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Notifier } from '../../controller/desired/types.js';
import { undiciPost } from '../../controller/notify/deliver.js';
import { requestFor, signature } from '../../controller/notify/format.js';
import { NotificationMetrics } from '../../controller/notify/metrics.js';
import { undeliverableFindings } from '../../controller/notify/pass-findings.js';
import { resolveNotifier } from '../../controller/notify/secrets.js';
import { NotificationSender } from '../../controller/notify/sender.js';
import type { Finding } from '../../controller/reconcile/plan.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { STORE_CLOCK } from '../store/contract.js';
import type { StoreHarness } from '../store/harness.js';
import { plan } from '../store/builders.js';
import { postgresHarness } from '../store/postgres-harness.js';
import { sqliteHarness } from '../store/sqlite-harness.js';
import { notifier } from './builders.js';
import { Receiver } from './receiver.js';

const T0 = Date.parse('2026-12-04T10:00:00.000Z');
const KEY = 'receiver-shared-key';
const stuck: Finding = { type: 'StuckAppliance', severity: 'error', appliance: 'lab-01', rollout: 'v51', message: 'lab-01 stuck: offline since 09:00' };

describe.each([
  { name: 'SQLite', factory: sqliteHarness },
  { name: 'PostgreSQL', factory: postgresHarness },
])('the sender on $name, against a real receiver', ({ factory }) => {
  let h: StoreHarness;
  let receiver: Receiver;
  let clock: ManualClock;
  let metrics: NotificationMetrics;
  let registry: Registry;

  beforeEach(async () => {
    h = await factory(STORE_CLOCK);
    receiver = new Receiver();
    await receiver.up();
    clock = new ManualClock(T0);
    registry = new Registry();
    metrics = new NotificationMetrics(registry);
  });
  afterEach(async () => {
    await receiver.down();
    await h.cleanup();
  });

  function senderFor(n: Notifier): NotificationSender {
    const env: Record<string, string> = { HOOK_URL: receiver.url, HOOK_KEY: KEY };
    return new NotificationSender({
      outbox: h.store.outbox,
      notifiers: () => [n],
      now: () => clock.date(),
      isLeader: () => true,
      log: pino({ level: 'silent' }),
      resolve: (x) => resolveNotifier(x, { env: (name) => env[name], file: () => '' }),
      metrics,
      random: () => 0.5,
    });
  }

  async function commit(n: Notifier, findings: Finding[], version: number): Promise<void> {
    await h.store.applyPlan(plan(clock.date().toISOString(), [], { findings }), { revision: 'r', expectedVersion: version, notify: { notifiers: [n], publicUrl: 'https://muster.example' } });
  }

  test('a receiver that is down, then slow, then failing, then back gets the event once, signed', async () => {
    const n = notifier('hook', { secretFrom: { env: 'HOOK_KEY' }, timeoutMs: 300 });
    const sender = senderFor(n);
    await commit(n, [stuck], 0);
    await receiver.down();
    expect(await sender.sendDue()).toEqual({ delivered: 0, retried: 1, gaveUp: 0 });
    // Backoff: the first retry waits 10 s (jitter 0.5 → 7.5 s); nothing is due before it.
    clock.advance(7_499);
    expect(await sender.sendDue()).toEqual({ delivered: 0, retried: 0, gaveUp: 0 });
    await receiver.up();
    receiver.mode = 'slow';
    clock.advance(1);
    expect(await sender.sendDue()).toEqual({ delivered: 0, retried: 1, gaveUp: 0 });
    receiver.mode = 'fail';
    clock.advance(15_000); // second retry: 20 s × 0.75
    expect(await sender.sendDue()).toEqual({ delivered: 0, retried: 1, gaveUp: 0 });
    receiver.mode = 'ok';
    clock.advance(30_000); // third retry: 40 s × 0.75
    expect(await sender.sendDue()).toEqual({ delivered: 1, retried: 0, gaveUp: 0 });
    expect(await sender.sendDue()).toEqual({ delivered: 0, retried: 0, gaveUp: 0 });

    expect(receiver.delivered).toHaveLength(1);
    const [got] = receiver.delivered;
    expect(got?.headers['x-muster-signature-256']).toBe(signature(got?.body ?? '', KEY));
    expect(JSON.parse(got?.body ?? '{}')).toMatchObject({
      id: got?.id,
      event: 'finding.opened',
      type: 'StuckAppliance',
      subject: { appliance: 'lab-01', rollout: 'v51' },
      message: stuck.message,
      link: 'https://muster.example/appliances/lab-01',
    });
    const [row] = await h.store.outbox.list({ limit: 1 });
    expect(row).toMatchObject({ attempts: 4, deliveredAt: clock.date().toISOString(), lastError: null });
    const text = await registry.metrics();
    expect(text).toContain('muster_notifications_sent_total{notifier="hook"} 1');
    expect(text).toContain('muster_notifications_failed_total{notifier="hook",result="retry"} 3');
    expect(text).toContain('muster_notifications_pending 0');
  });

  test('past giveUpAfter the event is given up and the notifier reads as undeliverable', async () => {
    const n = notifier('hook', { giveUpAfterMs: 60 * 60_000 });
    const sender = senderFor(n);
    await commit(n, [stuck], 0);
    await receiver.down();
    let round = await sender.sendDue();
    for (let i = 0; i < 100 && round.gaveUp === 0; i += 1) {
      clock.advance(10 * 60_000);
      round = await sender.sendDue();
    }
    expect(round).toEqual({ delivered: 0, retried: 0, gaveUp: 1 });
    const stats = await h.store.outbox.stats();
    expect(stats).toMatchObject({ pending: 0, gaveUp: 1 });
    expect(undeliverableFindings(stats, [n])).toEqual([expect.objectContaining({ type: 'NotificationUndeliverable', severity: 'error', policy: 'hook' })]);
    expect(undeliverableFindings(stats, [])).toEqual([]);
  });

  test('the gauges say how many wait and for how long', async () => {
    const n = notifier('hook');
    const sender = senderFor(n);
    await commit(n, [stuck], 0);
    await receiver.down();
    clock.advance(90_000);
    await sender.sendDue();
    const text = await registry.metrics();
    expect(text).toContain('muster_notifications_pending 1');
    expect(text).toContain('muster_notifications_oldest_pending_age_seconds 90');
  });

  test('a slack notifier gets one short line: what, where, why and the link', async () => {
    const n = notifier('chat', { format: 'slack' });
    const sender = senderFor(n);
    await commit(n, [stuck], 0);
    expect(await sender.sendDue()).toMatchObject({ delivered: 1 });
    expect(JSON.parse(receiver.delivered[0]?.body ?? '{}')).toEqual({
      text: 'Error: StuckAppliance on appliance lab-01 (rollout v51): lab-01 stuck: offline since 09:00 <https://muster.example/appliances/lab-01|open in Muster>',
    });
    expect(receiver.delivered[0]?.headers['x-muster-signature-256']).toBeUndefined();
  });

  test('a sender that died between sending and recording: the row goes again once its lease runs out, and the receiver drops the copy', async () => {
    const n = notifier('hook');
    await commit(n, [stuck], 0);
    // What a dying sender did: it claimed the row and the request reached the receiver, but nothing was recorded.
    const [claimed] = await h.store.outbox.claimDue(clock.date(), 10, 50_000);
    const { body, headers } = requestFor(claimed!.event, n, null);
    expect(await undiciPost(receiver.url, body, headers, 1_000)).toEqual({ ok: true, status: 204 });
    const restarted = senderFor(n);
    clock.advance(49_999);
    expect(await restarted.sendDue()).toEqual({ delivered: 0, retried: 0, gaveUp: 0 });
    clock.advance(1);
    expect(await restarted.sendDue()).toEqual({ delivered: 1, retried: 0, gaveUp: 0 });
    expect(receiver.delivered).toHaveLength(2);
    expect(receiver.unique()).toEqual([claimed?.id]);
  });

  test('a follower sends nothing', async () => {
    const n = notifier('hook');
    const follower = new NotificationSender({ outbox: h.store.outbox, notifiers: () => [n], now: () => clock.date(), isLeader: () => false, log: pino({ level: 'silent' }) });
    await commit(n, [stuck], 0);
    expect(await follower.sendDue()).toEqual({ delivered: 0, retried: 0, gaveUp: 0 });
    expect(receiver.requests).toBe(0);
  });
});
