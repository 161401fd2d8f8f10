import { describe, expect, it } from 'vitest';
import type { PassOutcome } from '../../controller/runtime/reconcile-pass.js';
import { CHECKIN_GAP_PER_PASS, ReconcileLoop } from '../../controller/runtime/loop.js';
import { ManualClock } from '../helpers/manual-clock.js';

const IDLE: PassOutcome = { kind: 'idle', reason: 'test' };

/** Lets the loop's promise callbacks run (the passes below resolve without I/O). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** A loop over a pass that records when it ran; with `hold`, each pass lasts until the test calls `finish`. */
function loopFor(options: { intervalMs?: number; minGapMs?: number; hold?: boolean } = {}) {
  const clock = new ManualClock();
  const started = clock.now();
  const passes: number[] = [];
  let finish: (() => void) | null = null;
  const loop = new ReconcileLoop({
    pass: async (now) => {
      passes.push(now.getTime() - started);
      if (options.hold) await new Promise<void>((resolve) => (finish = resolve));
      return IDLE;
    },
    clock,
    intervalMs: options.intervalMs ?? 60_000,
    checkinDebounceMs: 1_000,
    checkinMinGapMs: options.minGapMs ?? 5_000,
    backoff: { baseMs: 1_000, maxMs: 60_000 },
  });
  return { loop, clock, passes, finish: () => (finish as unknown as () => void)() };
}

describe('scheduling check-in-triggered passes', () => {
  it('runs the first pass at once, then a check-in flood gets one pass per gap, not one per debounce', async () => {
    const { loop, clock, passes } = loopFor();
    loop.start();
    clock.advance(0);
    await settle();
    expect(passes).toEqual([0]);
    for (let t = 0; t < 12_000; t += 100) {
      loop.checkinArrived();
      clock.advance(100);
      await settle();
    }
    expect(passes).toEqual([0, 5_000, 10_000]);
    await loop.stop();
  });

  it('waits only the debounce when the last pass is longer ago than the gap', async () => {
    const { loop, clock, passes } = loopFor();
    loop.start();
    clock.advance(0);
    await settle();
    clock.advance(20_000);
    loop.checkinArrived();
    clock.advance(999);
    await settle();
    expect(passes).toEqual([0]);
    clock.advance(1);
    await settle();
    expect(passes).toEqual([0, 21_000]);
    await loop.stop();
  });

  it('counts the gap from the end of a pass that check-ins arrive during', async () => {
    const { loop, clock, passes, finish } = loopFor({ hold: true });
    loop.start();
    clock.advance(0);
    await settle();
    loop.checkinArrived();
    clock.advance(2_000);
    finish(); // the pass ends at 2 s
    await settle();
    clock.advance(4_999);
    await settle();
    expect(passes).toEqual([0]);
    clock.advance(1);
    await settle();
    expect(passes).toEqual([0, 7_000]);
    finish();
    await loop.stop();
  });

  it('stretches the gap to a multiple of a long pass, so a large fleet is not reconciled back to back', async () => {
    const { loop, clock, passes, finish } = loopFor({ hold: true });
    loop.start();
    clock.advance(0);
    await settle();
    clock.advance(3_000);
    finish(); // the first pass took 3 s
    await settle();
    const gap = CHECKIN_GAP_PER_PASS * 3_000;
    for (let t = 0; t < gap + 1_000; t += 500) {
      loop.checkinArrived();
      clock.advance(500);
      await settle();
    }
    expect(passes).toEqual([0, 3_000 + gap]);
    finish();
    await loop.stop();
  });

  it('leaves an earlier interval pass where it is', async () => {
    const { loop, clock, passes } = loopFor({ intervalMs: 2_000 });
    loop.start();
    clock.advance(0);
    await settle();
    loop.checkinArrived();
    clock.advance(2_000);
    await settle();
    expect(passes).toEqual([0, 2_000]);
    await loop.stop();
  });
});
