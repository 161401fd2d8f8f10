import { KubeConfig } from '@kubernetes/client-node';

/**
 * The credentials of the Kubernetes source: the pod's service account (token and CA under
 * /var/run/secrets/kubernetes.io/serviceaccount) when running in a cluster, i.e. when
 * `KUBERNETES_SERVICE_HOST` is set; otherwise the kubeconfig named by `KUBECONFIG` or
 * `~/.kube/config` and its current context. Throws when no cluster is configured.
 */
export function loadKubeConfig(): KubeConfig {
  const config = new KubeConfig();
  // The client reads the same variables itself; an empty one counts as unset, as in a shell.
  if (process.env.KUBERNETES_SERVICE_HOST) config.loadFromCluster();
  else config.loadFromDefault();
  if (!config.getCurrentCluster()) throw new Error('no Kubernetes cluster configured: run in a pod or set KUBECONFIG');
  return config;
}
