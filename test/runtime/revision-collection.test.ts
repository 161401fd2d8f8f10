import { describe, expect, it } from 'vitest';
import { RevisionCollection } from '../../controller/runtime/revision-collection.js';
import type { DesiredState } from '../../controller/desired/types.js';
import { desired } from '../reconcile/builders.js';

describe('RevisionCollection', () => {
  it('collects once per desired state, after its first pass', () => {
    let collections = 0;
    const collection = new RevisionCollection(() => (collections += 1));
    const first = desired({});
    const second = desired({});
    const passes: (DesiredState | null)[] = [null, first, first, first, second, second, first];
    expect(passes.map((d) => collection.afterPass(d))).toEqual([false, true, false, false, true, false, true]);
    expect(collections).toBe(3);
  });

  it('does nothing where the runtime offers no collection', () => {
    expect(new RevisionCollection(null).afterPass(desired({}))).toBe(false);
    expect(new RevisionCollection(null).afterStartupLoad()).toBe(false);
  });

  it('collects after the start-up load, and again after the first pass of its desired state', () => {
    let collections = 0;
    const collection = new RevisionCollection(() => (collections += 1));
    expect(collection.afterStartupLoad()).toBe(true);
    expect(collections).toBe(1);
    expect(collection.afterPass(desired({}))).toBe(true);
    expect(collections).toBe(2);
  });

  it('collects for real by default: garbage this thread dropped is gone', () => {
    const { heapUsed: before } = process.memoryUsage();
    let garbage: number[][] | null = Array.from({ length: 200 }, () => Array.from({ length: 10_000 }, (_, i) => i + 0.5));
    expect(process.memoryUsage().heapUsed - before).toBeGreaterThan(10_000_000);
    garbage = null;
    expect(new RevisionCollection().afterPass(desired({}))).toBe(true);
    expect(garbage).toBeNull();
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(5_000_000);
  });
});
