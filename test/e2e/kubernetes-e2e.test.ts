import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { accessRules } from '../../controller/kubernetes/api-access.js';
import { CliProcess } from '../agent/helpers/cli-processes.js';
import { kubeconfigFor } from '../helpers/fake-kube-api.js';
import { smallFleetFiles } from '../helpers/fleet.js';
import { eventually } from '../helpers/eventually.js';
import { tempDir } from '../helpers/tmp.js';
import { applyFiles, startFakeCluster } from '../kubernetes/kube-fixture.js';

const MUSTER = fileURLToPath(new URL('../../dist/controller/cli/main.js', import.meta.url));
const NS = 'fleet';

type Status = { phase?: string; observedGeneration?: number; conditions?: { type: string; status: string; observedGeneration?: number }[] };

afterEach(async () => {
  await CliProcess.killAll();
});

describe('muster controller --repo kubernetes://NAMESPACE (built CLI, loopback API server)', () => {
  it('reads the custom resources through a kubeconfig and writes each Rollout status, using only the verbs RBAC grants', async () => {
    const { fake, url } = await startFakeCluster(NS);
    const { dir, remove } = tempDir();
    try {
      applyFiles(fake, smallFleetFiles());
      const kubeconfig = join(dir, 'kubeconfig');
      writeFileSync(kubeconfig, kubeconfigFor(url, fake.token, NS, fake.ca));
      const controller = new CliProcess(MUSTER, ['controller', '--repo', `kubernetes://${NS}`, '--db', join(dir, 'muster.db'), '--listen', '127.0.0.1:0', '--interval', '1s'], {
        env: { KUBECONFIG: kubeconfig, KUBERNETES_SERVICE_HOST: '', MUSTER_LOG_LEVEL: 'info' },
      });
      const status = () => (fake.get('rollouts', 'v1.0.51')?.status ?? {}) as Status;
      await eventually(() => status().phase, { what: () => `a Rollout status; stderr:\n${controller.output()}`, timeoutMs: 20_000 });
      expect(status().observedGeneration).toBe(1);
      expect(status().conditions?.map((c) => c.type)).toEqual(['Ready', 'Reconciling', 'Stalled']);

      // An edit arrives through the watch; the next status describes the new generation.
      applyFiles(fake, smallFleetFiles({ rolloutExtra: '  paused: true' }));
      await eventually(() => status().phase === 'Paused', { what: () => `the Paused status; stderr:\n${controller.output()}`, timeoutMs: 20_000 });
      expect(status().observedGeneration).toBe(2);
      expect(status().conditions?.every((c) => c.observedGeneration === 2)).toBe(true);

      const granted = new Set(accessRules().flatMap((rule) => rule.resources.flatMap((r) => rule.verbs.map((v) => `${v} ${r}`))));
      const used = new Set(
        fake.requests.map((request) => {
          const [verb, path] = request.split(' ') as [string, string];
          const [, plural, name, sub] = /\/namespaces\/[^/]+\/([a-z]+)(?:\/([^/]+)(?:\/(\w+))?)?$/.exec(path) ?? [];
          return `${verb} ${plural}${name && sub ? `/${sub}` : ''}`;
        }),
      );
      expect([...used].sort()).toEqual([...granted].sort());
      expect((await controller.stop('SIGTERM')).code).toBe(0);
    } finally {
      await fake.stop();
      remove();
    }
  });
});
