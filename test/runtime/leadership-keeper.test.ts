import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LOST_LEADER_BACKOFF_PERIODS, LeadershipKeeper } from '../../controller/runtime/leadership-keeper.js';
import type { Leadership, Store } from '../../controller/store/store.js';
import { ManualClock } from '../helpers/manual-clock.js';

/**
 * A lock two keepers compete for, as a PostgreSQL advisory lock is: free, or held by one session. A
 * session ended from outside tells its client at once but frees the lock only when the server's
 * backend has exited, a moment later.
 */
class Lock {
  holder: { lose: (reason: Error) => void } | null = null;
  tries = new Map<string, number>();

  constructor(private readonly clock: ManualClock) {}

  storeFor(name: string): Store {
    return { kind: 'postgres', acquireLeadership: async () => this.acquire(name) } as unknown as Store;
  }

  /** Ends the holder's session from outside, as `pg_terminate_backend` does. */
  cut(exitMs: number): void {
    const holder = this.holder;
    holder?.lose(new Error('terminated'));
    this.clock.setTimeout(() => {
      if (this.holder === holder) this.holder = null;
    }, exitMs);
  }

  private acquire(name: string): Leadership | null {
    this.tries.set(name, (this.tries.get(name) ?? 0) + 1);
    if (this.holder) return null;
    let held = true;
    const listeners: ((reason: Error) => void)[] = [];
    this.holder = {
      lose: (reason) => {
        held = false;
        for (const l of listeners.splice(0)) l(reason);
      },
    };
    return {
      isLeader: () => held,
      onLost: (l) => void listeners.push(l),
      release: async () => {
        held = false;
        this.holder = null;
      },
    };
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

async function advance(clock: ManualClock, ms: number, stepMs = 10): Promise<void> {
  for (let t = 0; t < ms; t += stepMs) {
    clock.advance(stepMs);
    await settle();
  }
}

describe('LeadershipKeeper', () => {
  it('a follower takes the lock its leader lost: the old leader waits longer before trying again', async () => {
    // Every phase of the follower's retry timer against the moment the lock is cut.
    for (const offset of [0, 10, 30, 50, 70, 90]) {
      const clock = new ManualClock();
      const lock = new Lock(clock);
      const changes: string[] = [];
      const keeper = (name: string) => new LeadershipKeeper(lock.storeFor(name), clock, pino({ level: 'silent' }), 100, (leader) => changes.push(`${name}:${leader}`));
      const a = keeper('a');
      await a.start();
      await advance(clock, offset);
      const b = keeper('b');
      await b.start();
      expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
      await advance(clock, 100 - offset + 30);

      lock.cut(40);
      expect(a.isLeader()).toBe(false);
      await advance(clock, 100 * LOST_LEADER_BACKOFF_PERIODS + 50);
      expect({ offset, a: a.isLeader(), b: b.isLeader() }).toEqual({ offset, a: false, b: true });
      expect(changes).toEqual(['a:true', 'a:false', 'b:true']);

      // The old leader keeps trying at its ordinary period and follows.
      const before = lock.tries.get('a') ?? 0;
      await advance(clock, 300);
      expect(lock.tries.get('a')).toBeGreaterThanOrEqual(before + 2);
      expect(a.isLeader()).toBe(false);
      await Promise.all([a.stop(), b.stop()]);
    }
  });

  it('a replica alone retakes the lock it lost after the longer wait, not before', async () => {
    const clock = new ManualClock();
    const lock = new Lock(clock);
    const a = new LeadershipKeeper(lock.storeFor('a'), clock, pino({ level: 'silent' }), 100, () => {});
    await a.start();
    lock.cut(0);
    await advance(clock, 100 * LOST_LEADER_BACKOFF_PERIODS - 10);
    expect(a.isLeader()).toBe(false);
    expect(lock.tries.get('a')).toBe(1);
    await advance(clock, 20);
    expect(a.isLeader()).toBe(true);
    await a.stop();
  });
});
