import { describe, expect, it } from 'vitest';
import { backgroundClock, clockReading, isoTime, sleep, systemClock } from '../../lib/clock.js';
import { ManualClock } from '../helpers/manual-clock.js';

describe('sleep', () => {
  it('resolves once the clock has moved by the delay, not before', async () => {
    const clock = new ManualClock();
    let done = false;
    const slept = sleep(clock, 1_000).then(() => (done = true));
    clock.advance(999);
    await Promise.resolve();
    expect(done).toBe(false);
    clock.advance(1);
    await slept;
    expect(done).toBe(true);
  });

  it('resolves early when aborted, and leaves no timer behind', async () => {
    const clock = new ManualClock();
    const abort = new AbortController();
    const slept = sleep(clock, 60_000, abort.signal);
    expect(clock.delays()).toEqual([60_000]);
    abort.abort();
    await slept;
    expect(clock.delays()).toEqual([]);
  });

  it('does not wait at all on a signal already aborted', async () => {
    const clock = new ManualClock();
    await sleep(clock, 60_000, AbortSignal.abort());
    expect(clock.delays()).toEqual([]);
  });
});

describe('the real clocks', () => {
  it('systemClock keeps the process alive while a timer waits; backgroundClock does not', () => {
    const held = systemClock.setTimeout(() => {}, 60_000) as NodeJS.Timeout;
    const background = backgroundClock.setTimeout(() => {}, 60_000) as NodeJS.Timeout;
    try {
      expect(held.hasRef()).toBe(true);
      expect(background.hasRef()).toBe(false);
    } finally {
      systemClock.clearTimeout(held);
      backgroundClock.clearTimeout(background);
    }
  });

  it('clockReading reads the time it is given and keeps real timers', async () => {
    const clock = clockReading(() => Date.parse('2026-12-05T00:00:00Z'));
    expect(isoTime(clock.now())).toBe('2026-12-05T00:00:00.000Z');
    await sleep(clock, 1);
  });
});
