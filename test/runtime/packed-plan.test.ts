import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { reconcile } from '../../controller/reconcile/reconcile.js';
import { packPlan, unpackPlan } from '../../controller/runtime/packed-plan.js';
import { appliances, desired, NOW, rollout, seen, state } from '../reconcile/builders.js';

// A fleet whose plan has what a real one repeats: statuses, stuck appliances with findings, actions.
function planOf(count: number) {
  const fleet = appliances('appliance', count, { site: 'lab' });
  const want = desired({ appliances: fleet, rollouts: [rollout('r-1', { release: 'v2' })] });
  const seenNow = fleet.slice(0, count / 2).map((a) => seen(a.name));
  return reconcile(want, state({ appliances: seenNow }), NOW);
}

describe('packed plan', () => {
  it('unpacks to the plan it packed', () => {
    const plan = planOf(400);
    expect(plan.findings.length).toBeGreaterThan(0);
    expect(unpackPlan(packPlan(plan))).toEqual(plan);
  });

  it('is a fraction of the serialized plan, alone in its buffer so a transfer moves only it', () => {
    const plan = planOf(2_000);
    const packed = packPlan(plan);
    expect(packed.byteLength).toBeLessThan(v8.serialize(plan).byteLength / 10);
    expect(packed.byteOffset).toBe(0);
    expect(packed.buffer.byteLength).toBe(packed.byteLength);
  });

  it('refuses bytes that are not a packed plan', () => {
    expect(() => unpackPlan(new Uint8Array([1, 2, 3, 4]))).toThrow();
  });
});
