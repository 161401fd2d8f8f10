import type { Clock } from '../../../agent/clock.js';

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}

/** A clock that moves only when the test says so; timers fire in time order as it passes them. */
export class ManualClock implements Clock {
  private timers: Timer[] = [];
  private nextId = 1;

  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { id: this.nextId++, at: this.current + Math.max(0, ms), fn };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
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

  private fireAt(at: number): void {
    this.current = Math.max(this.current, at);
    const due = this.timers.filter((t) => t.at <= at).sort((a, b) => a.at - b.at || a.id - b.id);
    this.timers = this.timers.filter((t) => t.at > at);
    for (const timer of due) timer.fn();
  }
}
