import { resolve } from 'node:path';

/** Where `--repo` points: a git remote, or a directory read as it is. */
export type RepoLocation = { kind: 'git'; url: string } | { kind: 'directory'; dir: string };

/**
 * Tells a git URL from a directory (docs/fleet-repository.md, "Sources"): `https://`, `http://`, `ssh://`, `git://`,
 * `file://` and scp-like `user@host:path` are git remotes; anything else is a local directory.
 */
export function repoLocation(repo: string): RepoLocation {
  if (/^(https?|ssh|git|file):\/\//i.test(repo) || /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:/.test(repo)) return { kind: 'git', url: repo };
  return { kind: 'directory', dir: resolve(repo) };
}
