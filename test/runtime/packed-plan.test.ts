import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { reconcile } from '../../controller/reconcile/reconcile.js';
import { packPlan, PLAN_PIECE_ELEMENTS, unpackPlan } from '../../controller/runtime/packed-plan.js';
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

  it('unpacks a plan packed in many pieces whole, in order, with its keys in their order', () => {
    const plan = planOf(2 * PLAN_PIECE_ELEMENTS + 2);
    expect(plan.appliances.length).toBeGreaterThan(2 * PLAN_PIECE_ELEMENTS);
    const unpacked = unpackPlan(packPlan(plan));
    expect(unpacked).toEqual(plan);
    expect(Object.keys(unpacked)).toEqual(Object.keys(plan));
    expect(unpacked.appliances.map((a) => a.id)).toEqual(plan.appliances.map((a) => a.id));
    expect(JSON.stringify(unpacked)).toBe(JSON.stringify(plan));
  });

  it('keeps an empty plan empty', () => {
    const plan = reconcile(desired({}), state({}), NOW);
    expect(plan.appliances).toEqual([]);
    expect(unpackPlan(packPlan(plan))).toEqual(plan);
  });

  it('is a fraction of the serialized plan, alone in its buffer so a transfer moves only it', () => {
    const plan = planOf(2_000);
    const packed = packPlan(plan);
    expect(packed.byteLength).toBeLessThan(v8.serialize(plan).byteLength / 10);
    expect(packed.byteOffset).toBe(0);
    expect(packed.buffer.byteLength).toBe(packed.byteLength);
  });

  it('refuses bytes that are not a packed plan, and a packed plan cut short', () => {
    expect(() => unpackPlan(new Uint8Array([1, 2, 3, 4]))).toThrow();
    const packed = packPlan(planOf(3 * PLAN_PIECE_ELEMENTS));
    const head = 4 + Buffer.from(packed.buffer).readUInt32LE(0);
    expect(() => unpackPlan(packed.subarray(0, packed.byteLength - 10))).toThrow(/cut short/);
    expect(() => unpackPlan(packed.subarray(0, packed.byteLength - 3))).toThrow(/cut short/);
    expect(() => unpackPlan(packed.subarray(0, head))).toThrow(/elements missing/);
  });
});
