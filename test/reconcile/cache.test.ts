import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReconcileCache } from '../../controller/reconcile/reconcile.js';
import { computeCohortOrder } from '../../controller/reconcile/cohorts.js';
import { reconcile } from '../../controller/reconcile/reconcile.js';
import { appliances, desired, rollout, state, NOW } from './builders.js';

// The cohort order of every appliance in `eligible`, from the cache when it can.
const permutation = (cache: ReconcileCache, rollout: string, eligible: readonly string[]) => cache.cohortPermutationAt(rollout, eligible, Int32Array.from(eligible, (_, k) => k));
// The cached permutation read back as ids.
const orderOf = (cache: ReconcileCache, rollout: string, eligible: readonly string[]) => Array.from(permutation(cache, rollout, eligible), (i) => eligible[i]);
const ids = (n: number, prefix = 'a') => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`).sort();

describe('ReconcileCache', () => {
  it('reuses the cohort order when the eligible set is unchanged', () => {
    const cache = new ReconcileCache();
    const eligible = ids(300);
    const first = permutation(cache, 'r', eligible);
    const second = permutation(cache, 'r', [...eligible]);
    expect(second).toBe(first);
    expect(cache.stats).toEqual({ hits: 1, incremental: 0, full: 1 });
  });

  it('inserts and removes a few appliances without rehashing the rest, giving the order a full sort gives', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 200, max: 400 }),
        fc.array(fc.integer({ min: 0, max: 999 }), { maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: 399 }), { maxLength: 4 }),
        (size, added, removed) => {
          const cache = new ReconcileCache();
          const before = ids(size);
          orderOf(cache, 'rollout-x', before);
          const gone = new Set(removed.map((i) => before[i % size]));
          const after = [...new Set([...before.filter((id) => !gone.has(id)), ...added.map((i) => `new-${i}`)])].sort();
          expect(orderOf(cache, 'rollout-x', after)).toEqual(computeCohortOrder('rollout-x', after));
          if (added.length + removed.length > 0) expect(cache.stats.incremental).toBe(1);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('recomputes in full when much of the set changed', () => {
    const cache = new ReconcileCache();
    orderOf(cache, 'r', ids(100));
    const changed = ids(100, 'b');
    expect(orderOf(cache, 'r', changed)).toEqual(computeCohortOrder('r', changed));
    expect(cache.stats.full).toBe(2);
  });

  it('makes a warm reconcile pass hash nothing and plan the same as a cold one', () => {
    const fleet = () => desired({ appliances: appliances('box', 50), rollouts: [rollout('v1.0.2', { stages: [{ percent: 10 }, { percent: 100 }] })] });
    const d = fleet();
    const cache = new ReconcileCache();
    const cold = reconcile(d, state(), NOW, { cache });
    // The same desired state object: its index, cohort orders included, is reused whole.
    expect(reconcile(d, state(), NOW, { cache })).toEqual(cold);
    expect(cache.stats).toEqual({ hits: 0, incremental: 0, full: 1 });
    // A new revision with the same appliances: the cohort order is found by its eligible set.
    expect(reconcile(fleet(), state(), NOW, { cache })).toEqual(cold);
    expect(cache.stats).toEqual({ hits: 1, incremental: 0, full: 1 });
  });
});
