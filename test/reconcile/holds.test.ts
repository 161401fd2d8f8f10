import { describe, expect, it } from 'vitest';
import type { RolloutWindowSpec } from '../../controller/desired/types.js';
import type { LatchDecision } from '../../controller/reconcile/failure-policy.js';
import { holdReason, rolloutHold, type Hold, type HoldInput } from '../../controller/reconcile/holds.js';

const at = (iso: string) => Date.parse(iso);
const NOW = at('2026-03-04T12:00:00Z');
const ACTIVE: LatchDecision = { kind: 'active', release: false };
// Weekdays 09:00–17:00 Berlin (UTC+1 on 2026-03-04, a Wednesday).
const weekdays: RolloutWindowSpec = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], startMinute: 9 * 60, endMinute: 17 * 60, timeZone: 'Europe/Berlin' };

describe('rolloutHold: the hold on a whole rollout, first that applies', () => {
  const rows: { name: string; given: { decision: LatchDecision; window: RolloutWindowSpec | null; nowMs: number }; want: Hold | null }[] = [
    { name: 'none for an active rollout without a window', given: { decision: ACTIVE, window: null, nowMs: NOW }, want: null },
    { name: 'paused by its spec, even inside its window', given: { decision: { kind: 'spec-paused', release: false }, window: weekdays, nowMs: NOW }, want: 'paused' },
    { name: 'failures while a latch holds it', given: { decision: { kind: 'held', phase: 'Paused', sinceMs: NOW }, window: null, nowMs: NOW }, want: 'failures' },
    { name: 'failures when the latch trips now, before a closed window', given: { decision: { kind: 'tripped', phase: 'Aborted', sinceMs: NOW }, window: weekdays, nowMs: at('2026-03-04T20:00:00Z') }, want: 'failures' },
    { name: 'window while its window is closed', given: { decision: ACTIVE, window: weekdays, nowMs: at('2026-03-04T20:00:00Z') }, want: 'window' },
    { name: 'none while its window is open', given: { decision: ACTIVE, window: weekdays, nowMs: NOW }, want: null },
  ];
  for (const { name, given, want } of rows) {
    it(name, () => expect(rolloutHold({ window: given.window }, given.decision, given.nowMs)).toBe(want));
  }
});

describe('holdReason: why an appliance the rollout may take is not assigned now, first that applies', () => {
  const open: HoldInput = { rolloutHold: null, deferUntilMs: null, nowMs: NOW, final: false, inFlight: 0, maxConcurrent: null, budgetBlocked: false };
  const rows: { name: string; given: Partial<HoldInput>; want: Hold | null }[] = [
    { name: 'assigned when nothing holds it', given: {}, want: null },
    { name: 'the rollout’s own hold before anything else', given: { rolloutHold: 'window', deferUntilMs: NOW + 1, inFlight: 5, maxConcurrent: 5, budgetBlocked: true }, want: 'window' },
    { name: 'deferring while its deferUntil is still to come', given: { deferUntilMs: NOW + 60_000 }, want: 'deferring' },
    { name: 'not deferring once its deferUntil is now', given: { deferUntilMs: NOW }, want: null },
    { name: 'deferring even when it runs the release already', given: { deferUntilMs: NOW + 1, final: true }, want: 'deferring' },
    { name: 'maxConcurrent when that many members are in flight', given: { inFlight: 3, maxConcurrent: 3 }, want: 'maxConcurrent' },
    { name: 'assigned while fewer than maxConcurrent are in flight', given: { inFlight: 2, maxConcurrent: 3 }, want: null },
    { name: 'maxConcurrent before a used-up budget', given: { inFlight: 3, maxConcurrent: 3, budgetBlocked: true }, want: 'maxConcurrent' },
    { name: 'budget when its group has no room', given: { budgetBlocked: true }, want: 'budget' },
    { name: 'a final member is held by neither maxConcurrent nor a budget', given: { final: true, inFlight: 3, maxConcurrent: 3, budgetBlocked: true }, want: null },
    { name: 'maxConcurrent 0 holds every member that is not final', given: { maxConcurrent: 0 }, want: 'maxConcurrent' },
  ];
  for (const { name, given, want } of rows) {
    it(name, () => expect(holdReason({ ...open, ...given })).toBe(want));
  }
});
