import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../controller/kubernetes/kube-api.js';
import { resourceFile, revisionId, type HeldResource } from '../../controller/kubernetes/resource-files.js';

const held = (path: string, resourceVersion: string): HeldResource => ({ file: { path, content: '' }, resourceVersion });

describe('resourceFile', () => {
  it.each<{ name: string; given: KubeObject & { kind: string }; want: { path: string; content: string } }>([
    {
      name: 'a Rollout with server fields',
      given: {
        apiVersion: 'muster.dev/v1alpha1',
        kind: 'Rollout',
        metadata: { name: 'v1', namespace: 'fleet', resourceVersion: '7', generation: 2, labels: { ring: 'a' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}', note: 'x' } },
        spec: { release: 'v1' },
        status: { phase: 'Complete' },
      },
      want: {
        path: 'Rollout/fleet/v1.yaml',
        content: 'apiVersion: muster.dev/v1alpha1\nkind: Rollout\nmetadata:\n  name: v1\n  labels:\n    ring: a\n  annotations:\n    note: x\nspec:\n  release: v1\n',
      },
    },
    {
      name: 'an Appliance, which has no spec',
      given: { apiVersion: 'muster.dev/v1alpha1', kind: 'Appliance', metadata: { name: 'lab-01', namespace: 'fleet', labels: {} } },
      want: { path: 'Appliance/fleet/lab-01.yaml', content: 'apiVersion: muster.dev/v1alpha1\nkind: Appliance\nmetadata:\n  name: lab-01\n' },
    },
  ])('renders $name as the document a person would write', ({ given, want }) => {
    expect(resourceFile(given.kind, given)).toEqual(want);
  });
});

describe('revisionId', () => {
  it('depends on the set, not on its order', () => {
    const entry = fc.tuple(fc.stringMatching(/^[a-z]{1,8}$/), fc.stringMatching(/^[0-9]{1,6}$/));
    fc.assert(
      fc.property(fc.uniqueArray(entry, { selector: (e) => e[0] }), (entries) => {
        const resources = entries.map(([p, v]) => held(p, v));
        expect(revisionId([...resources].reverse())).toBe(revisionId(resources));
      }),
    );
  });

  it.each([
    { name: 'an edit', given: [held('a', '1'), held('b', '3')] },
    { name: 'an addition', given: [held('a', '1'), held('b', '2'), held('c', '4')] },
    { name: 'a deletion', given: [held('a', '1')] },
  ])('changes with $name', ({ given }) => {
    expect(revisionId(given)).not.toBe(revisionId([held('a', '1'), held('b', '2')]));
  });
});
