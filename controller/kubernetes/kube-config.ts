import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

/**
 * The credentials of the Kubernetes source: the pod's service account (token and CA under
 * /var/run/secrets/kubernetes.io/serviceaccount) when running in a cluster, i.e. when
 * `KUBERNETES_SERVICE_HOST` is set; otherwise the kubeconfig named by `KUBECONFIG` or
 * `~/.kube/config` and its current context. Throws when there is none of these.
 */
export function loadKubeConfig(): KubeConfig {
  const config = new KubeConfig();
  // The client reads the same variables itself; an empty one counts as unset, as in a shell.
  if (process.env.KUBERNETES_SERVICE_HOST) config.loadFromCluster();
  // Without a kubeconfig the client would fall back to http://localhost:8080: refuse instead.
  else if (process.env.KUBECONFIG || existsSync(join(homedir(), '.kube', 'config'))) config.loadFromDefault();
  else throw new Error('no Kubernetes credentials: not in a pod (KUBERNETES_SERVICE_HOST unset), KUBECONFIG unset and no ~/.kube/config');
  if (!config.getCurrentCluster()) throw new Error('no Kubernetes cluster in the kubeconfig: set its current-context');
  return config;
}
