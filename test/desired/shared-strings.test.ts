import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shareRepeatedStrings } from '../../controller/desired/shared-strings.js';
import type { Appliance, DesiredObject, DesiredState } from '../../controller/desired/types.js';

function desiredWith(appliances: Appliance[], objects: DesiredObject[] = []): DesiredState {
  return {
    revision: 'r1',
    fleet: { name: 'f', checkinIntervalMs: 60_000, offlineAfterMs: 180_000 },
    appliances,
    releases: [],
    rollouts: [],
    retentionPolicies: [],
    otsPolicy: null,
    objects,
  } as unknown as DesiredState;
}

describe('sharing the repeated strings of a desired state', () => {
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
      expect(shareRepeatedStrings(desired)).toBe(desired);
      expect(desired.appliances).toEqual(c.given);
    });
  }

  it("gives an Appliance document its appliance's labels object when they are equal, and only then", () => {
    const source = { file: 'appliances.yaml', line: 1, column: 1 };
    const doc = (name: string, labels: Record<string, string>): DesiredObject => ({ kind: 'Appliance', name, labels, spec: null, source: { ...source } });
    const desired = desiredWith(
      [
        { name: 'a', labels: { site: 'lab', ring: 'canary' } },
        { name: 'b', labels: { site: 'lab' } },
      ],
      [doc('a', { site: 'lab', ring: 'canary' }), doc('b', { site: 'clinic' }), { ...doc('a', { site: 'lab', ring: 'canary' }), kind: 'Release' }, doc('a', { ring: 'canary', site: 'lab' })],
    );
    shareRepeatedStrings(desired);
    expect(desired.objects[0]?.labels).toBe(desired.appliances[0]?.labels);
    expect(desired.objects[1]?.labels).not.toBe(desired.appliances[1]?.labels);
    expect(desired.objects[1]?.labels).toEqual({ site: 'clinic' });
    expect(desired.objects[2]?.labels).not.toBe(desired.appliances[0]?.labels);
    // Equal entries in another order stay apart: the order shows in the JSON the store saves.
    expect(Object.keys(desired.objects[3]?.labels ?? {})).toEqual(['ring', 'site']);
  });

  it('changes nothing a reader can see, whatever the labels, names, kinds and files', () => {
    const labels = fc.dictionary(fc.constantFrom('client', 'site', 'ring', 'hardware'), fc.constantFrom('a', 'b', 'site-1', 'site-2', ''));
    const name = fc.constantFrom('a', 'b', 'appliance-1', 'lab', 'site-1');
    const object = fc.record({
      kind: fc.constantFrom('Appliance', 'Release', 'Rollout'),
      name,
      labels,
      spec: fc.constant(null),
      source: fc.record({ file: fc.constantFrom('appliances.yaml', 'releases.yaml', 'a'), line: fc.nat(), column: fc.nat() }),
    });
    fc.assert(
      fc.property(fc.array(fc.record({ name, labels })), fc.array(object), (appliances, objects) => {
        const desired = desiredWith(structuredClone(appliances), structuredClone(objects) as DesiredObject[]);
        const before = JSON.stringify(desired);
        shareRepeatedStrings(desired);
        expect(JSON.stringify(desired)).toBe(before);
      }),
    );
  });
});
