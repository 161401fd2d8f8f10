import { resolve } from 'node:path';

/** Where `--repo` points: a git remote, a directory read as it is, or a namespace of a Kubernetes cluster. */
export type RepoLocation = { kind: 'git'; url: string } | { kind: 'directory'; dir: string } | { kind: 'kubernetes'; namespace: string };

/**
 * Tells a git URL from a directory (docs/fleet-repository.md, "Sources"): `https://`, `http://`, `ssh://`, `git://`,
 * `file://` and scp-like `user@host:path` are git remotes; `kubernetes://NAMESPACE` names the
 * custom resources of that namespace; anything else is a local directory.
 */
export function repoLocation(repo: string): RepoLocation {
  const kubernetes = /^kubernetes:\/\/(.*?)\/?$/i.exec(repo);
  if (kubernetes) return { kind: 'kubernetes', namespace: kubernetesNamespace(kubernetes[1] as string) };
  if (/^(https?|ssh|git|file):\/\//i.test(repo) || /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:/.test(repo)) return { kind: 'git', url: repo };
  return { kind: 'directory', dir: resolve(repo) };
}

/** A namespace name (an RFC 1123 label); throws on anything else, so a typo fails at start. */
function kubernetesNamespace(namespace: string): string {
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace)) throw new Error(`kubernetes://NAMESPACE needs a namespace name, got "${namespace}"`);
  return namespace;
}
