import type { Clock, TimerHandle } from '../../lib/clock.js';

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}

/** Where a manual clock starts unless told otherwise. */
export const MANUAL_CLOCK_START = Date.parse('2026-01-31T12:00:00Z');

/**
 * The tests' one clock: it moves only when the test says so, and its timers fire, in time order, as it
 * passes them. Stands in for the real clock wherever the controller or the agent takes a `Clock`.
 */
export class ManualClock implements Clock {
  private timers: Timer[] = [];
  private nextId = 1;

  constructor(private current: number = MANUAL_CLOCK_START) {}

  now(): number {
    return this.current;
  }

  /** The current instant as a Date, for the APIs that stamp with one. */
  date(): Date {
    return new Date(this.current);
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, at: this.current + Math.max(0, ms), fn };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /** Delays of the timers still waiting, from now, shortest first. */
  delays(): number[] {
    return this.timers.map((t) => t.at - this.current).sort((a, b) => a - b);
  }

  /** When the earliest pending timer fires, or null when none is pending. */
  nextTimerAt(): number | null {
    return this.timers.reduce<number | null>((min, t) => (min === null || t.at < min ? t.at : min), null);
  }

  /** Moves time forward by `ms`, firing every timer due on the way, in order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const next = this.nextTimerAt();
      if (next === null || next > target) break;
      this.fireAt(next);
    }
    this.current = target;
  }

  /** Jumps to the earliest pending timer and fires it (and any due at the same instant); false when none. */
  runNext(): boolean {
    const next = this.nextTimerAt();
    if (next === null) return false;
    this.fireAt(next);
    return true;
  }

  /**
   * Fires the timers due by `at` in order; one cleared by an earlier one's callback does not fire, and
   * one set by a callback waits for the next step.
   */
  private fireAt(at: number): void {
    this.current = Math.max(this.current, at);
    const due = this.timers.filter((t) => t.at <= at).sort((a, b) => a.at - b.at || a.id - b.id);
    for (const timer of due) {
      if (!this.timers.includes(timer)) continue;
      this.timers = this.timers.filter((t) => t !== timer);
      timer.fn();
    }
  }
}
