import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDesiredIndex } from '../../controller/reconcile/desired-index.js';
import { PositionFinder, positionOf } from '../../controller/reconcile/engine/positions.js';
import { appliance, desired } from './builders.js';

const sortedIds = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { maxLength: 80 }).map((ids) => ids.sort());

describe('positions of ids among the declared appliances', () => {
  it('a binary search finds each declared id and nothing else', () => {
    fc.assert(
      fc.property(sortedIds, fc.array(fc.string({ maxLength: 6 }), { maxLength: 20 }), (ids, others) => {
        ids.forEach((id, i) => expect(positionOf(ids, id)).toBe(i));
        for (const id of others) expect(positionOf(ids, id)).toBe(ids.indexOf(id));
      }),
    );
  });

  it('hints, right, wrong or stale, never change a position, and are corrected for the next pass', () => {
    fc.assert(
      fc.property(
        sortedIds,
        fc.array(fc.string({ minLength: 1, maxLength: 6 }), { maxLength: 60 }),
        fc.array(fc.integer({ min: -1, max: 90 }), { maxLength: 60 }),
        (ids, listed, guesses) => {
          const index = buildDesiredIndex(desired({ appliances: ids.map((id) => appliance(id)) }));
          const list = [...listed, ...ids.filter((_, i) => i % 3 === 0)];
          const hints = Int32Array.from(list, (_, k) => guesses[k] ?? -1);
          const finder = new PositionFinder(index, hints);
          const found = list.map((id, k) => finder.find(k, id));
          expect(found).toEqual(list.map((id) => index.ids.indexOf(id)));
          expect(Array.from(hints)).toEqual(found);
          const again = new PositionFinder(index, hints);
          expect(list.map((id, k) => again.find(k, id))).toEqual(found);
        },
      ),
    );
  });
});
