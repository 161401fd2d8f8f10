import { describe, expect, it } from 'vitest';
import { ExpiryRewrite } from '../../controller/store/expiry-rewrite.js';

/** Rows behind the cutoff as a counter: each step takes up to a batch of them. */
function rows(count: number) {
  const state = { left: count, steps: 0, onStep: (): void => undefined };
  const step = (batchSize: number) => {
    state.steps += 1;
    const taken = Math.min(batchSize, state.left);
    state.left -= taken;
    state.onStep();
    return taken;
  };
  return { state, step };
}

describe('the trailing rewrite', () => {
  it('rewrites in batches until a batch comes back short, telling each batch that changed rows', async () => {
    const { state, step } = rows(25);
    const batches: number[] = [];
    expect(await new ExpiryRewrite(step).run(10, (n) => batches.push(n))).toBe(25);
    expect(batches).toEqual([10, 10, 5]);
    expect(state.left).toBe(0);
  });

  it('never runs a batch inside the caller’s turn', async () => {
    const { state, step } = rows(5);
    const running = new ExpiryRewrite(step).run(10);
    expect(state.steps).toBe(0);
    expect(await running).toBe(5);
  });

  it('lets a second caller join the run in progress, and goes round again for rows that came meanwhile', async () => {
    const { state, step } = rows(15);
    const rewrite = new ExpiryRewrite(step);
    let late: Promise<number> | null = null;
    state.onStep = () => {
      // A new cutoff during the short batch that ends the run: rows it would otherwise leave behind.
      if (state.steps === 2) {
        state.left += 7;
        late = rewrite.run(10);
      }
    };
    const first = rewrite.run(10);
    expect(await first).toBe(22);
    expect(await (late as unknown as Promise<number>)).toBe(22);
    expect(state.left).toBe(0);
  });

  it('stops after the batch in flight and starts nothing afterwards', async () => {
    const { state, step } = rows(1000);
    const rewrite = new ExpiryRewrite(step);
    let stopped: Promise<void> | null = null;
    state.onStep = () => {
      if (state.steps === 3) stopped = rewrite.stop();
    };
    expect(await rewrite.run(10)).toBe(30);
    await stopped;
    expect(await rewrite.run(10)).toBe(0);
    expect(state.left).toBe(970);
  });

  it('refuses a batch size that is not a positive integer', () => {
    const rewrite = new ExpiryRewrite(rows(1).step);
    for (const size of [0, -1, 1.5, Number.NaN]) expect(() => rewrite.run(size)).toThrow(RangeError);
  });
});
