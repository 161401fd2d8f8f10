import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shareLabelValues } from '../../controller/desired/shared-labels.js';
import type { Appliance, DesiredState } from '../../controller/desired/types.js';

function desiredWith(appliances: Appliance[]): DesiredState {
  return {
    revision: 'r1',
    fleet: { name: 'f', checkinIntervalMs: 60_000, offlineAfterMs: 180_000 },
    appliances,
    releases: [],
    rollouts: [],
    retentionPolicies: [],
    otsPolicy: null,
    objects: [],
  } as unknown as DesiredState;
}

describe('sharing the label values of a desired state', () => {
  const cases: { name: string; given: Appliance[] }[] = [
    { name: 'no appliances', given: [] },
    { name: 'an appliance without labels', given: [{ name: 'a', labels: {} }] },
    {
      name: 'equal values under different keys and appliances',
      given: [
        { name: 'a', labels: { client: 'acme', site: 'lab', ring: 'lab' } },
        { name: 'b', labels: { client: 'acme', site: 'clinic' } },
      ],
    },
  ];
  for (const c of cases) {
    it(`${c.name}: the same object, every label as it was`, () => {
      const desired = desiredWith(structuredClone(c.given));
      expect(shareLabelValues(desired)).toBe(desired);
      expect(desired.appliances).toEqual(c.given);
    });
  }

  it('changes nothing a reader can see, whatever the labels', () => {
    const labels = fc.dictionary(fc.constantFrom('client', 'site', 'ring', 'hardware'), fc.constantFrom('a', 'b', 'site-1', 'site-2', ''));
    fc.assert(
      fc.property(fc.array(fc.record({ name: fc.string({ minLength: 1 }), labels })), (appliances) => {
        const desired = desiredWith(structuredClone(appliances));
        const before = JSON.stringify(desired);
        shareLabelValues(desired);
        expect(JSON.stringify(desired)).toBe(before);
      }),
    );
  });
});
