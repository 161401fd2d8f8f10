import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchesSelector } from '../../controller/desired/selector.js';
import type { LabelSelectorSpec } from '../../controller/desired/types.js';
import { eligiblePositions, type LabelIndex } from '../../controller/reconcile/eligible.js';

const value = fc.constantFrom('a', 'b', 'c', 'toString');
const labelsArb = fc.dictionary(fc.constantFrom('client', 'ring', 'site', 'constructor'), value, { maxKeys: 3 });
const selectorArb: fc.Arbitrary<LabelSelectorSpec | null> = fc.option(
  fc.record({
    matchLabels: fc.option(fc.dictionary(fc.constantFrom('client', 'ring', 'site', 'constructor'), value, { maxKeys: 2 }), { nil: undefined }),
    matchExpressions: fc.option(
      fc.array(
        fc.record({ key: fc.constantFrom('client', 'ring'), operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist'), values: fc.option(fc.array(value, { minLength: 1, maxLength: 2 }), { nil: undefined }) }),
        { maxLength: 2 },
      ),
      { nil: undefined },
    ),
  }) as fc.Arbitrary<LabelSelectorSpec>,
);

describe('eligible sets', () => {
  it('are the appliances whose labels match, ascending, with or without a label index shared between selectors', () => {
    fc.assert(
      fc.property(fc.array(labelsArb, { maxLength: 40 }), fc.array(selectorArb, { minLength: 1, maxLength: 5 }), (labels, selectors) => {
        const shared: LabelIndex = new Map();
        for (const selector of selectors) {
          const want = labels.flatMap((l, i) => (matchesSelector(selector, l) ? [i] : []));
          expect(Array.from(eligiblePositions(labels, selector, shared))).toEqual(want);
          expect(Array.from(eligiblePositions(labels, selector))).toEqual(want);
        }
      }),
    );
  });
});
