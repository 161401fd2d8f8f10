import type { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadFleetFiles } from '../../controller/desired/load.js';
import { KINDS } from '../../controller/desired/schema/kinds.js';
import { KindWatch } from '../../controller/kubernetes/kind-watch.js';
import { kubeApi } from '../../controller/kubernetes/kube-api.js';
import { KubernetesSource } from '../../controller/kubernetes/kubernetes-source.js';
import { TrackedSource } from '../../controller/sources/revision-tracker.js';
import type { Revision } from '../../controller/sources/source.js';
import type { FakeKubeApi } from '../helpers/fake-kube-api.js';
import { smallFleetFiles } from '../helpers/fleet.js';
import { eventually } from '../helpers/eventually.js';
import { applyFiles, startFakeCluster } from './kube-fixture.js';

const NS = 'fleet';
let fake: FakeKubeApi;
let source: KubernetesSource;
let config: KubeConfig;
let revisions: Revision[];

beforeEach(async () => {
  const cluster = await startFakeCluster(NS);
  fake = cluster.fake;
  config = cluster.config;
  applyFiles(fake, smallFleetFiles());
  source = new KubernetesSource({ namespace: NS, config: cluster.config, backoff: { baseMs: 20, maxMs: 100 } });
  revisions = [];
  source.onRevision((r) => revisions.push(r));
});

afterEach(async () => {
  await source.stop();
  await fake.stop();
});

const lists = (plural: string) => fake.requests.filter((r) => r === `list /apis/muster.dev/v1alpha1/namespaces/${NS}/${plural}`).length;
const latest = () => revisions[revisions.length - 1] as Revision;

/** Waits until every kind's watch is open, so a change made next reaches the source through a watch. */
async function started(): Promise<void> {
  await source.start();
  await eventually(() => fake.openWatches() === KINDS.length, { what: 'a watch on every kind' });
}

describe('KubernetesSource', () => {
  it('lists every kind of the registry and serves the set as one valid revision', async () => {
    await started();
    expect(revisions).toHaveLength(1);
    for (const def of KINDS) expect(lists(def.plural), def.plural).toBe(1);
    expect(latest().id).toMatch(/^kubernetes:[0-9a-f]{16}$/);
    expect(latest().files.map((f) => f.path)).toContain(`Rollout/${NS}/v1.0.51.yaml`);
    const loaded = loadFleetFiles(latest().files, latest().id);
    expect(loaded.ok).toBe(true);
    for (const query of fake.watchQueries) {
      expect(Object.fromEntries(query)).toMatchObject({ watch: 'true', allowWatchBookmarks: 'true', timeoutSeconds: '300', resourceVersion: expect.stringMatching(/^\d+$/) as unknown });
    }
    expect(loaded.ok && loaded.state.rollouts.map((r) => r.name)).toEqual(['v1.0.51']);
  });

  it('keeps server fields (uid, resourceVersion, managedFields, status) out of the documents', async () => {
    await started();
    const rollout = latest().files.find((f) => f.path.startsWith('Rollout/'));
    expect(rollout?.content).not.toMatch(/uid|resourceVersion|managedFields|generation|status/);
  });

  it('turns a watched edit into a new revision with the new spec', async () => {
    await started();
    const first = latest().id;
    applyFiles(fake, smallFleetFiles({ rolloutExtra: '  paused: true' }));
    await eventually(() => latest().id !== first, { what: 'a new revision' });
    const loaded = loadFleetFiles(latest().files, latest().id);
    expect(loaded.ok && loaded.state.rollouts[0]?.paused).toBe(true);
    expect(lists('rollouts')).toBe(1);
  });

  it('turns a deletion into a new revision without the resource', async () => {
    await started();
    fake.delete('retentionpolicies', 'incidents-30d');
    await eventually(() => revisions.length === 2, { what: 'a new revision' });
    expect(latest().files.some((f) => f.path.startsWith('RetentionPolicy/'))).toBe(false);
  });

  it('gives no new revision when only a status changed', async () => {
    await started();
    await kubeApi(config, NS).patchStatus('rollouts', 'v1.0.51', { phase: 'Pending' });
    // A later event on the same stream: once it is seen, the status change was seen before it.
    fake.apply('rollouts', { kind: 'Rollout', metadata: { name: 'v1.0.52' }, spec: { release: 'v1.0.51', stages: [{ percent: 100 }] } });
    await eventually(() => latest().files.some((f) => f.path.endsWith('/v1.0.52.yaml')), { what: 'the second rollout' });
    expect(revisions).toHaveLength(2);
  });

  it('resumes a watch the server closed from the last resourceVersion, without listing again', async () => {
    await started();
    fake.closeWatches();
    await eventually(() => fake.openWatches() === KINDS.length, { what: 'the watches reopened' });
    applyFiles(fake, smallFleetFiles({ rolloutExtra: '  paused: true' }));
    await eventually(() => revisions.length === 2, { what: 'the edit through the resumed watch' });
    for (const def of KINDS) expect(lists(def.plural), def.plural).toBe(1);
  });

  it('resumes from a bookmark even after the history was compacted', async () => {
    const watch = new KindWatch('Fleet', 'fleets', kubeApi(config, NS), () => undefined);
    await watch.sync();
    const listed = watch.resumeVersion();
    applyFiles(fake, { 'a.yaml': 'apiVersion: muster.dev/v1alpha1\nkind: Appliance\nmetadata:\n  name: clinic-c-01\n' });
    fake.bookmark();
    await eventually(() => watch.resumeVersion() === fake.currentVersion(), { what: 'the bookmark' });
    expect(watch.resumeVersion()).not.toBe(listed);
    fake.compact();
    fake.closeWatches();
    await watch.sync();
    expect(fake.requests.at(-1)).toBe(`watch /apis/muster.dev/v1alpha1/namespaces/${NS}/fleets`);
    expect(lists('fleets')).toBe(1);
    watch.stop();
  });

  for (const mode of ['event', 'http'] as const) {
    it(`lists again after 410 Gone (${mode === 'event' ? 'an ERROR event in the stream' : 'an HTTP 410'}) and misses nothing`, async () => {
      await started();
      fake.closeWatches();
      // While no watch is open: a change, then compaction past it.
      applyFiles(fake, smallFleetFiles({ rolloutExtra: '  paused: true' }));
      fake.compact(mode);
      await eventually(() => revisions.length === 2, { what: 'the edit, through a fresh list' });
      expect(lists('rollouts')).toBe(2);
      const loaded = loadFleetFiles(latest().files, latest().id);
      expect(loaded.ok && loaded.state.rollouts[0]?.paused).toBe(true);
    });
  }

  it('serves no partial set while RBAC forbids listing one kind, and starts once it is granted', async () => {
    fake.forbid('list', 'otspolicies');
    await source.start();
    expect(revisions).toHaveLength(0);
    expect(source.status().fetchError?.message).toMatch(/list otspolicies: 403 .*cannot list resource "otspolicies" in API group "muster.dev"/);
    fake.forbid('list', 'otspolicies', false);
    await eventually(() => revisions.length === 1, { what: 'the first revision, on backoff' });
    expect(source.status().fetchError).toBeNull();
  });

  it('keeps the last good set while a watch is forbidden, and recovers', async () => {
    await started();
    const good = latest().id;
    fake.forbid('watch', 'otspolicies');
    fake.closeWatches();
    await eventually(() => source.status().fetchError, { what: 'the fetch error' });
    expect(source.status().fetchError?.message).toBe('watch otspolicies: 403 Forbidden');
    expect(source.status().fetchedRevision).toBe(good);
    fake.forbid('watch', 'otspolicies', false);
    await eventually(() => source.status().fetchError === null && fake.openWatches() === KINDS.length, { what: 'recovery on backoff' });
    expect(revisions).toHaveLength(1);
  });

  it('names the resource and field of an invalid set, and keeps the last good revision', async () => {
    const tracked = new TrackedSource(source);
    await tracked.start();
    const good = tracked.status().lastAppliedRevision;
    fake.apply('rollouts', { kind: 'Rollout', metadata: { name: 'v1.0.52' }, spec: { release: 'v1.0.52', stages: [{ percent: 100 }] } });
    await eventually(() => tracked.status().errors.length > 0, { what: 'the rejection' });
    const status = tracked.status();
    expect(status.lastAppliedRevision).toBe(good);
    expect(tracked.current()?.rollouts.map((r) => r.name)).toEqual(['v1.0.51']);
    expect(status.errors[0]).toMatchObject({ file: `Rollout/${NS}/v1.0.52.yaml`, path: 'spec.release' });
    await tracked.stop();
  });
});
