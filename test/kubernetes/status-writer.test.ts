import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kubeApi, type KubeApi, type KubeObject } from '../../controller/kubernetes/kube-api.js';
import { RolloutStatusWriter, rolloutStatusDocument } from '../../controller/kubernetes/status-writer.js';
import type { RolloutStatus } from '../../controller/reconcile/plan.js';
import type { FakeKubeApi } from '../helpers/fake-kube-api.js';
import { startFakeCluster } from './kube-fixture.js';

const NS = 'fleet';
const AT = '2026-12-04T10:00:00.000Z';

function rolloutStatus(overrides: Partial<RolloutStatus> = {}): RolloutStatus {
  return {
    name: 'v1.0.51',
    release: 'v1.0.51',
    version: '1.0.51',
    rollback: false,
    phase: 'Progressing',
    stage: 1,
    stages: 2,
    stageStartedAt: AT,
    counts: { targeted: 2, pending: 1, updating: 0, succeeded: 1, failed: 0, stuck: 0 },
    conditions: [
      { type: 'Ready', status: 'False', reason: 'Progressing', message: 'stage 1/2', lastTransitionTime: AT },
      { type: 'Reconciling', status: 'True', reason: 'Progressing', message: 'stage 1/2', lastTransitionTime: AT },
      { type: 'Stalled', status: 'False', reason: 'Progressing', message: 'stage 1/2', lastTransitionTime: AT },
    ],
    message: 'stage 1/2',
    revision: 'kubernetes:0123456789abcdef',
    ...overrides,
  };
}

let fake: FakeKubeApi;
let api: KubeApi;
let writer: RolloutStatusWriter;
const patches = () => fake.requests.filter((r) => r.startsWith('patch ')).length;
const cluster = (name: string) => fake.get('rollouts', name) as KubeObject | undefined;

beforeEach(async () => {
  const started = await startFakeCluster(NS);
  fake = started.fake;
  api = kubeApi(started.config, NS);
  fake.apply('rollouts', { kind: 'Rollout', metadata: { name: 'v1.0.51' }, spec: { release: 'v1.0.51', stages: [{ percent: 50 }, { percent: 100 }] } });
  writer = new RolloutStatusWriter(api, cluster);
});

afterEach(async () => {
  await fake.stop();
});

describe('rolloutStatusDocument', () => {
  it('carries phase, stage, counts, message and kstatus conditions stamped with the generation', () => {
    const document = rolloutStatusDocument(rolloutStatus(), 3);
    expect(document).toMatchObject({ observedGeneration: 3, phase: 'Progressing', stage: 1, stages: 2, message: 'stage 1/2' });
    expect(document.counts.succeeded).toBe(1);
    expect(document.conditions.map((c) => [c.type, c.status, c.observedGeneration])).toEqual([
      ['Ready', 'False', 3],
      ['Reconciling', 'True', 3],
      ['Stalled', 'False', 3],
    ]);
  });
});

describe('RolloutStatusWriter', () => {
  it('merge-patches the status subresource and leaves the spec alone', async () => {
    const report = await writer.write([rolloutStatus()]);
    expect(report).toEqual({ written: ['v1.0.51'], failed: [] });
    const object = cluster('v1.0.51') as KubeObject & { status: { phase: string; observedGeneration: number } };
    expect(object.status).toMatchObject({ phase: 'Progressing', stage: 1, observedGeneration: 1 });
    expect(object.spec).toEqual({ release: 'v1.0.51', stages: [{ percent: 50 }, { percent: 100 }] });
  });

  it('writes only when the status changes', async () => {
    await writer.write([rolloutStatus()]);
    await writer.write([rolloutStatus()]);
    expect(patches()).toBe(1);
    // A new writer (a restarted controller) sees the cluster already shows it.
    await new RolloutStatusWriter(api, cluster).write([rolloutStatus()]);
    expect(patches()).toBe(1);
    await writer.write([rolloutStatus({ stage: 2, message: 'stage 2/2' })]);
    expect(patches()).toBe(2);
    expect(cluster('v1.0.51')?.status).toMatchObject({ stage: 2, message: 'stage 2/2' });
  });

  it('retries a 409 Conflict once at once', async () => {
    fake.failNext('patch', 'rollouts/status', 409);
    expect(await writer.write([rolloutStatus()])).toEqual({ written: ['v1.0.51'], failed: [] });
    expect(patches()).toBe(2);
  });

  it('reports a 403 from RBAC without throwing, and writes once it is granted', async () => {
    fake.forbid('patch', 'rollouts/status');
    const report = await writer.write([rolloutStatus()]);
    expect(report.written).toEqual([]);
    expect(report.failed).toEqual([
      { name: 'v1.0.51', code: 403, message: expect.stringMatching(/patch rollouts\/v1.0.51\/status: 403 .*cannot patch resource "rollouts\/status"/) as unknown },
    ]);
    fake.forbid('patch', 'rollouts/status', false);
    expect((await writer.write([rolloutStatus()])).written).toEqual(['v1.0.51']);
  });

  it('skips a rollout the cluster does not hold', async () => {
    expect(await writer.write([rolloutStatus({ name: 'v1.0.50' })])).toEqual({ written: [], failed: [] });
    expect(patches()).toBe(0);
  });
});
