import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlatTexts } from '../../controller/reconcile/engine/flat-texts.js';
import { reconcile, ReconcileCache } from '../../controller/reconcile/reconcile.js';
import { appliances, desired, NOW, rollout, seen, state } from './builders.js';

describe('flat texts', () => {
  it('keeps every text as it was, and makes equal texts one string within a pass', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' }), { maxLength: 20 }), (texts) => {
        const flat = new FlatTexts();
        const made = texts.map((t) => flat.flat(`${t}/${t.length}`));
        expect(made).toEqual(texts.map((t) => `${t}/${t.length}`));
        for (const [i, t] of texts.entries()) expect(flat.flat(`${t}/${t.length}`)).toBe(made[i]);
      }),
    );
  });

  it('forgets a pass’s texts when cleared', () => {
    const flat = new FlatTexts();
    const first = flat.flat(['a', 'b'].join('-'));
    flat.clear();
    expect(flat.flat(['a', 'b'].join('-'))).toBe(first);
    expect(flat.flat('x')).toBe('x');
  });

  it('leaves the plans of a cached core what they are without it', () => {
    const fleet = appliances('appliance', 50, { site: 'lab' });
    const want = desired({ appliances: fleet, rollouts: [rollout('r-1', { release: 'v2' })] });
    const observed = state({ appliances: fleet.slice(0, 20).map((a) => seen(a.name)) });
    const cache = new ReconcileCache();
    for (const at of [NOW, new Date(NOW.getTime() + 3_600_000)]) expect(reconcile(want, observed, at, { cache })).toEqual(reconcile(want, observed, at, { cache: null }));
  });
});
