import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { fullCollection } from '../../controller/runtime/full-collection.js';

describe('fullCollection', () => {
  it('collects what nothing references, and leaves no `gc` behind for other code', async () => {
    const collect = fullCollection();
    expect(collect).toBeTypeOf('function');
    let held: object | null = { payload: new Array(1_000).fill('x') };
    const ref = new WeakRef(held);
    held = null;
    // A WeakRef keeps its target through the job that made it: collect in a later one.
    await tick();
    collect?.();
    expect(ref.deref()).toBeUndefined();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    expect(fullCollection()).toBeTypeOf('function');
  });

  it('leaves what is still referenced', async () => {
    const kept = { payload: 'kept' };
    const ref = new WeakRef(kept);
    await tick();
    fullCollection()?.();
    expect(ref.deref()).toBe(kept);
  });
});
