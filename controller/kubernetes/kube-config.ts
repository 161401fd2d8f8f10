import { KubeConfig } from '@kubernetes/client-node';

/**
 * The credentials of the Kubernetes source: the pod's service account when running in a cluster
 * (`KUBERNETES_SERVICE_HOST` is set), otherwise the kubeconfig named by `KUBECONFIG` or
 * `~/.kube/config` and its current context. Throws when no cluster is configured.
 */
export function loadKubeConfig(env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const config = new KubeConfig();
  if (env.KUBERNETES_SERVICE_HOST) config.loadFromCluster();
  else config.loadFromDefault();
  if (!config.getCurrentCluster()) throw new Error('no Kubernetes cluster configured: run in a pod or set KUBECONFIG');
  return config;
}
