import fc from 'fast-check';
import pino from 'pino';
import { describe, expect, test } from 'vitest';
import { resolveNotifier } from '../../controller/notify/secrets.js';
import { NotificationSender } from '../../controller/notify/sender.js';
import type { Finding } from '../../controller/reconcile/plan.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { plan } from '../store/builders.js';
import { STORE_CLOCK } from '../store/contract.js';
import { sqliteHarness } from '../store/sqlite-harness.js';
import { notifier } from './builders.js';
import { Receiver, type ReceiverMode } from './receiver.js';

const T0 = Date.parse('2026-12-04T10:00:00.000Z');
const APPLIANCES = ['a', 'b', 'c'];
const offline = (id: string): Finding => ({ type: 'ApplianceOffline', severity: 'warning', appliance: id, message: `${id} offline` });

/** One step: which appliances are offline in this pass's plan, how the receiver answers, how far the clock moves. */
const step = fc.record({
  offline: fc.subarray(APPLIANCES),
  mode: fc.constantFrom<ReceiverMode | 'down'>('ok', 'fail', 'down'),
  advanceMs: fc.integer({ min: 0, max: 120_000 }),
  send: fc.boolean(),
});

describe('delivery', () => {
  test('every outbox entry reaches a receiver that recovers exactly once, and nothing is sent twice', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        const h = await sqliteHarness(STORE_CLOCK);
        const receiver = new Receiver();
        await receiver.up();
        try {
          const clock = new ManualClock(T0);
          const n = notifier('hook', { timeoutMs: 2_000 });
          const sender = new NotificationSender({
            outbox: h.store.outbox,
            notifiers: () => [n],
            now: () => clock.date(),
            isLeader: () => true,
            log: pino({ level: 'silent' }),
            resolve: (x) => resolveNotifier(x, { env: () => receiver.url, file: () => '' }),
          });
          let version = 0;
          let isDown = false;
          for (const s of steps) {
            const p = plan(clock.date().toISOString(), [], { findings: s.offline.map(offline) });
            await h.store.applyPlan(p, { revision: 'r', expectedVersion: version++, notify: { notifiers: [n], publicUrl: null } });
            if (s.mode === 'down' && !isDown) await receiver.down();
            if (s.mode !== 'down' && isDown) await receiver.up();
            isDown = s.mode === 'down';
            if (s.mode !== 'down') receiver.mode = s.mode;
            if (s.send) await sender.sendDue();
            clock.advance(s.advanceMs);
          }
          // The receiver recovers; the sender keeps going until the outbox is empty.
          if (isDown) await receiver.up();
          receiver.mode = 'ok';
          for (let i = 0; i < 50 && (await h.store.outbox.stats()).pending > 0; i += 1) {
            clock.advance(10 * 60_000);
            await sender.sendDue();
          }
          const rows = await h.store.outbox.list({ limit: 1000 });
          expect((await h.store.outbox.stats()).pending).toBe(0);
          expect(receiver.unique().sort()).toEqual(rows.map((r) => r.id).sort());
          expect(receiver.delivered).toHaveLength(rows.length);
        } finally {
          await receiver.down();
          await h.cleanup();
        }
      }),
      { numRuns: 15 },
    );
  }, 120_000);

  test('a flapping finding gives one event per open and one per resolve, in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }), async (states) => {
        const h = await sqliteHarness(STORE_CLOCK);
        try {
          const clock = new ManualClock(T0);
          const ctx = { notifiers: [notifier('hook')], publicUrl: null };
          let version = 0;
          const want: string[] = [];
          let was = false;
          for (const isOffline of states) {
            if (isOffline !== was) want.push(isOffline ? 'finding.opened' : 'finding.resolved');
            was = isOffline;
            const p = plan(clock.date().toISOString(), [], { findings: isOffline ? [offline('a')] : [] });
            await h.store.applyPlan(p, { revision: 'r', expectedVersion: version++, notify: ctx });
            clock.advance(60_000);
          }
          const rows = await h.store.outbox.list({ limit: 1000 });
          expect(rows.map((r) => r.kind).reverse()).toEqual(want);
          expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
        } finally {
          await h.cleanup();
        }
      }),
      { numRuns: 20 },
    );
  }, 120_000);

  test('with a quiet period, a finding flapping faster than it tells only its first open (and a final resolve once quiet)', async () => {
    const h = await sqliteHarness(STORE_CLOCK);
    try {
      const clock = new ManualClock(T0);
      const ctx = { notifiers: [notifier('hook', { quietPeriodMs: 10 * 60_000 })], publicUrl: null };
      let version = 0;
      for (const isOffline of [true, false, true, false, true, false]) {
        const p = plan(clock.date().toISOString(), [], { findings: isOffline ? [offline('a')] : [] });
        await h.store.applyPlan(p, { revision: 'r', expectedVersion: version++, notify: ctx });
        clock.advance(60_000);
      }
      const rows = await h.store.outbox.list({ limit: 100 });
      expect(rows.map((r) => r.kind).reverse()).toEqual(['finding.opened', 'finding.resolved']);
      // The resolution is sent only once the quiet period has passed without a reopening.
      expect(rows[0]?.nextAttemptAt).toBe(new Date(T0 + 5 * 60_000 + 10 * 60_000).toISOString());
    } finally {
      await h.cleanup();
    }
  });
});
