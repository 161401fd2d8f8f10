import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GroupCommitter } from '../../controller/api/group-commit.js';
import { ManualClock } from '../helpers/manual-clock.js';

/** A flush the test completes by hand, recording every batch and the most commits seen at once. */
function manualFlush() {
  const batches: number[][] = [];
  const pending: { resolve: () => void; reject: (err: Error) => void }[] = [];
  let running = 0;
  let most = 0;
  const flush = (items: number[]) =>
    new Promise<void>((resolve, reject) => {
      batches.push(items);
      running += 1;
      most = Math.max(most, running);
      const done = () => (running -= 1);
      pending.push({ resolve: () => (done(), resolve()), reject: (err) => (done(), reject(err)) });
    });
  return {
    flush,
    batches,
    most: () => most,
    /** Completes the oldest commit still running. */
    commit: () => pending.shift()?.resolve(),
    fail: (err: Error) => pending.shift()?.reject(err),
    waiting: () => pending.length,
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('group commit', () => {
  it('waits maxDelayMs of its clock for company before writing a batch smaller than maxBatch', async () => {
    const f = manualFlush();
    const clock = new ManualClock();
    const committer = new GroupCommitter(f.flush, { maxBatch: 100, maxDelayMs: 50 }, clock);
    const written = committer.submit(1);
    await tick();
    expect(clock.delays()).toEqual([50]);
    clock.advance(49);
    void committer.submit(2);
    await tick();
    expect(f.batches).toEqual([]);
    clock.advance(1);
    expect(f.batches).toEqual([[1, 2]]);
    expect(clock.delays()).toEqual([]);
    f.commit();
    await written;
  });

  it('writes concurrent submissions in one batch and resolves them only once it is written', async () => {
    const f = manualFlush();
    const committer = new GroupCommitter(f.flush, { maxBatch: 100, maxDelayMs: 1 });
    let acknowledged = 0;
    const all = [1, 2, 3].map((n) => committer.submit(n).then(() => (acknowledged += 1)));
    while (f.waiting() === 0) await tick();
    expect(f.batches).toEqual([[1, 2, 3]]);
    await tick();
    expect(acknowledged).toBe(0);
    f.commit();
    await Promise.all(all);
    expect(acknowledged).toBe(3);
  });

  it('gathers what arrives during a commit into the next batch, written as soon as the commit ends', async () => {
    const f = manualFlush();
    const committer = new GroupCommitter(f.flush, { maxBatch: 100, maxDelayMs: 1 });
    const first = committer.submit(1);
    while (f.waiting() === 0) await tick();
    const later = [2, 3, 4].map((n) => committer.submit(n));
    expect(committer.depth).toBe(3);
    f.commit();
    await first;
    while (f.waiting() === 0) await tick();
    expect(f.batches).toEqual([[1], [2, 3, 4]]);
    f.commit();
    await Promise.all(later);
  });

  it('rejects the submitters of a failed batch with its error, and writes later batches', async () => {
    const f = manualFlush();
    const committer = new GroupCommitter(f.flush, { maxBatch: 2, maxDelayMs: 1 });
    const [a, b, c] = [1, 2, 3].map((n) => committer.submit(n));
    while (f.waiting() === 0) await tick();
    f.fail(new Error('disk full'));
    await expect(a).rejects.toThrow('disk full');
    await expect(b).rejects.toThrow('disk full');
    while (f.waiting() === 0) await tick();
    f.commit();
    await expect(c).resolves.toBeUndefined();
    expect(f.batches).toEqual([[1, 2], [3]]);
  });

  it('writes every item exactly once, in batches of at most maxBatch, with at most maxConcurrent commits at once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }),
        async (count, maxBatch, maxConcurrent, commitOrder) => {
          const f = manualFlush();
          const committer = new GroupCommitter(f.flush, { maxBatch, maxDelayMs: 0, maxConcurrent });
          const submitted = Array.from({ length: count }, (_, i) => committer.submit(i));
          const drained = committer.drain();
          let step = 0;
          while (f.batches.flat().length < count || f.waiting() > 0) {
            // Commits end at uneven times, but always eventually.
            if (f.waiting() > 0 && (commitOrder[step % commitOrder.length] || step % 4 === 3)) f.commit();
            step += 1;
            await tick();
          }
          await Promise.all(submitted);
          await drained;
          expect(f.batches.flat().sort((x, y) => x - y)).toEqual(Array.from({ length: count }, (_, i) => i));
          expect(Math.max(...f.batches.map((b) => b.length))).toBeLessThanOrEqual(maxBatch);
          expect(f.most()).toBeLessThanOrEqual(maxConcurrent);
          if (count >= maxBatch * maxConcurrent) expect(f.most()).toBe(maxConcurrent);
        },
      ),
      { numRuns: 60 },
    );
  });
});
