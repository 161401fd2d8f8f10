import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadKubeConfig } from '../../controller/kubernetes/kube-config.js';
import { kubeconfigFor } from '../helpers/fake-kube-api.js';
import { tempDir } from '../helpers/tmp.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('loadKubeConfig', () => {
  it('uses the service account in a pod', () => {
    vi.stubEnv('KUBERNETES_SERVICE_HOST', '10.96.0.1');
    vi.stubEnv('KUBERNETES_SERVICE_PORT', '443');
    const config = loadKubeConfig();
    expect(config.getCurrentCluster()).toMatchObject({ server: 'https://10.96.0.1:443', caFile: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt' });
  });

  it('uses the kubeconfig KUBECONFIG names elsewhere', () => {
    const { dir, remove } = tempDir();
    try {
      writeFileSync(join(dir, 'config'), kubeconfigFor('https://127.0.0.1:6443', 'token', 'fleet', 'not a real CA'));
      vi.stubEnv('KUBERNETES_SERVICE_HOST', '');
      vi.stubEnv('KUBECONFIG', join(dir, 'config'));
      expect(loadKubeConfig().getCurrentCluster()?.server).toBe('https://127.0.0.1:6443');
    } finally {
      remove();
    }
  });

  it('refuses to start without credentials rather than try localhost', () => {
    const { dir, remove } = tempDir();
    try {
      vi.stubEnv('KUBERNETES_SERVICE_HOST', '');
      vi.stubEnv('KUBECONFIG', '');
      vi.stubEnv('HOME', dir);
      expect(() => loadKubeConfig()).toThrow(/no Kubernetes credentials/);
    } finally {
      remove();
    }
  });
});
