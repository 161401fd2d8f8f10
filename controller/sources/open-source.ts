import { join } from 'node:path';
import { DirectorySource } from './directory-source.js';
import { GitSource } from './git-source.js';
import { repoLocation } from './repo-location.js';
import type { Source, SourceTiming } from './source.js';

export interface OpenSourceOptions extends SourceTiming {
  /** `--repo`: a git URL, a directory or `kubernetes://NAMESPACE`. */
  repo: string;
  /** `--branch` for a git remote. */
  branch?: string;
  /** A pinned commit or tag for a git remote. */
  revision?: string;
  /** Where a git remote's clone is kept; defaults to `.muster/git` under the working directory. */
  cacheDir?: string;
}

/**
 * The source `--repo` names: a GitSource for a URL, a watched DirectorySource for a path, a
 * KubernetesSource (in-cluster or kubeconfig credentials) for `kubernetes://NAMESPACE`. Nothing is read yet.
 * The Kubernetes client is loaded only for a Kubernetes source: its modules' source text and code
 * alone held about 15 MB of a controller's heap that never spoke to a cluster.
 */
export async function openSource(options: OpenSourceOptions): Promise<Source> {
  const location = repoLocation(options.repo);
  const { clock, intervalMs, backoff } = options;
  if (location.kind === 'directory') return new DirectorySource({ dir: location.dir, clock, backoff });
  if (location.kind === 'kubernetes') {
    const [{ KubernetesSource }, { loadKubeConfig }] = await Promise.all([import('../kubernetes/kubernetes-source.js'), import('../kubernetes/kube-config.js')]);
    return new KubernetesSource({ namespace: location.namespace, config: loadKubeConfig(), clock, backoff });
  }
  return new GitSource({
    url: location.url,
    branch: options.branch,
    revision: options.revision,
    cacheDir: options.cacheDir ?? join(process.cwd(), '.muster', 'git'),
    clock,
    intervalMs,
    backoff,
  });
}
