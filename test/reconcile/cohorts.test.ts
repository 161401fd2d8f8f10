import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cohortKey, cohortPermutation, computeCohortOrder, stageSize } from '../../controller/reconcile/cohorts.js';

describe('cohorts', () => {
  const rows: { name: string; given: [percent: number, eligible: number]; want: number }[] = [
    { name: 'at least one appliance for a small percentage', given: [5, 5], want: 1 },
    { name: 'rounds up', given: [25, 5], want: 2 },
    { name: 'exactly a share when it divides', given: [10, 1000], want: 100 },
    { name: '1% of 1,001 is 11, not 10', given: [1, 1001], want: 11 },
    { name: 'all of them at 100%', given: [100, 7], want: 7 },
    { name: 'none when nothing is eligible', given: [50, 0], want: 0 },
  ];
  for (const row of rows) it(`stage size: ${row.name}`, () => expect(stageSize(...row.given)).toBe(row.want));

  it('orders by sha256(rollout + "/" + id) in hex', () => {
    expect(cohortKey('v1.0.51', 'vm-01')).toBe('63ef66348b36f165b2a2d1c3790c72344e4af239ea28689748b6cae01c63d6b2');
    expect(computeCohortOrder('v1.0.51', ['clinic-a-01', 'clinic-b-01', 'clinic-c-01', 'phys-01', 'vm-01'])).toEqual([
      'vm-01',
      'clinic-c-01',
      'phys-01',
      'clinic-a-01',
      'clinic-b-01',
    ]);
  });

  it('orders exactly as sorting the full hex keys does, even when the packed leading bits collide', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { maxLength: 60 }), fc.integer({ min: 1, max: 52 }), (ids, bits) => {
        const reference = [...ids].sort((a, b) => (cohortKey('ro', a) < cohortKey('ro', b) ? -1 : 1));
        expect(Array.from(cohortPermutation('ro', ids, bits), (i) => ids[i])).toEqual(reference);
      }),
    );
  });

  it('a new appliance changes few memberships', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `box-${i}`);
    const before = new Set(computeCohortOrder('ro', ids).slice(0, stageSize(10, 1000)));
    const after = new Set(computeCohortOrder('ro', [...ids, 'box-new']).slice(0, stageSize(10, 1001)));
    const left = [...before].filter((id) => !after.has(id));
    expect(left.length).toBeLessThanOrEqual(1);
  });
});
