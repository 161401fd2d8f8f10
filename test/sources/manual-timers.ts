import type { TimerHandle, Timers } from '../../controller/sources/timers.js';

interface Pending {
  id: number;
  due: number;
  callback: () => void;
}

/** A clock that moves only when the test says so; due timers fire, in order, as it passes them. */
export class ManualTimers implements Timers {
  private time: number;
  private nextId = 1;
  private pending: Pending[] = [];

  constructor(start = Date.parse('2026-01-31T12:00:00Z')) {
    this.time = start;
  }

  now(): Date {
    return new Date(this.time);
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, due: this.time + Math.max(0, ms), callback };
    this.pending.push(timer);
    return timer.id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending = this.pending.filter((t) => t.id !== handle);
  }

  /** Delays of the timers still waiting, from now. */
  delays(): number[] {
    return this.pending.map((t) => t.due - this.time).sort((a, b) => a - b);
  }

  /** Moves the clock forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.pending.filter((t) => t.due <= end).sort((a, b) => a.due - b.due || a.id - b.id)[0];
      if (!next) break;
      this.pending = this.pending.filter((t) => t !== next);
      this.time = next.due;
      next.callback();
    }
    this.time = end;
  }
}

/** Polls `check` until it holds, failing after `timeoutMs`: for events a test cannot await directly. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
