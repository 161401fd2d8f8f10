import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleGit, type SimpleGit } from 'simple-git';
import { sha256Hex } from '../desired/canonical.js';
import { failpoint } from '../failpoints.js';
import type { RevisionCommit } from '../desired/types.js';
import { readFilesAtRef } from './git-files.js';
import { FetchingSource, type Revision, type SourceTiming } from './source.js';

export interface GitSourceOptions extends SourceTiming {
  /** `https://…`, `ssh://…`, `git@host:path` or `file://…`. */
  url: string;
  /** The branch to follow; the remote's default branch (its HEAD) when absent. */
  branch?: string;
  /** A commit SHA or tag to stay on instead of following a branch. */
  revision?: string;
  /** Where the bare clone is kept between fetches and restarts. */
  cacheDir: string;
  /** Longest a git command may go without output before it is killed, in ms. */
  commandTimeoutMs?: number;
}

const LOCAL_REF = 'refs/muster/source';

/** A directory name for a URL: readable, and unique by its hash. */
function cacheName(url: string): string {
  const readable = url.replace(/^[a-z]+:\/\//, '').replace(/[^A-Za-z0-9._-]+/g, '-').slice(-48);
  return `${readable}-${sha256Hex(url).slice(0, 12)}.git`;
}

/**
 * The environment git runs with: what it needs to find itself, credentials and keys, and never a
 * terminal prompt (nobody is there to answer). Editor and pager settings are left out.
 */
function gitEnvironment(): Record<string, string> {
  const pass = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TMPDIR', 'SSH_AUTH_SOCK', 'GIT_SSH_COMMAND', 'HTTPS_PROXY', 'HTTP_PROXY', 'NO_PROXY', 'https_proxy', 'http_proxy', 'no_proxy', 'SSL_CERT_FILE', 'GIT_SSL_CAINFO'];
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: '0' };
  for (const name of pass) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Follows a git remote: keeps a bare clone in `cacheDir`, fetches on an interval and when
 * triggered, and hands out the files of the followed branch's commit (or the pinned revision) with
 * the commit SHA as the revision id. A force-push that rewinds the branch is followed like any
 * other move. When the remote cannot be reached the status says why, the last revision stays, and
 * fetches are retried on exponential backoff.
 */
export class GitSource extends FetchingSource {
  readonly kind = 'git' as const;
  private readonly options: GitSourceOptions;
  private readonly repoDir: string;
  private last: Revision | null = null;

  constructor(options: GitSourceOptions) {
    super(options.url, options);
    if (options.url.startsWith('-')) throw new Error(`not a git URL: ${options.url}`);
    this.options = options;
    this.repoDir = join(options.cacheDir, cacheName(options.url));
  }

  private git(): SimpleGit {
    const sshCommand = process.env.GIT_SSH_COMMAND;
    return simpleGit({
      baseDir: this.repoDir,
      timeout: { block: this.options.commandTimeoutMs ?? 120_000 },
      // An operator's own GIT_SSH_COMMAND (a deploy key) is honoured; simple-git refuses it unless told.
      unsafe: { allowUnsafeSshCommand: sshCommand !== undefined },
    }).env(gitEnvironment());
  }

  private async ensureClone(): Promise<SimpleGit> {
    if (!(await exists(join(this.repoDir, 'HEAD')))) {
      await mkdir(this.repoDir, { recursive: true });
      await simpleGit({ baseDir: this.repoDir }).init(true);
    }
    return this.git();
  }

  /** The local commit a pinned revision names, or null when the clone does not have it yet. */
  private async resolvePinned(git: SimpleGit, revision: string): Promise<string | null> {
    const candidates = /^[0-9a-f]{7,64}$/.test(revision)
      ? [revision]
      : [`refs/muster/tags/${revision}`, `refs/muster/heads/${revision}`];
    for (const candidate of candidates) {
      const sha = await git.raw(['rev-parse', '--verify', '--quiet', `${candidate}^{commit}`]).then(
        (out) => out.trim(),
        () => '',
      );
      if (sha) return sha;
    }
    return null;
  }

  private async fetchCommit(git: SimpleGit): Promise<string> {
    const { url, branch, revision } = this.options;
    if (revision) {
      const known = /^[0-9a-f]{40,64}$/.test(revision) ? await this.resolvePinned(git, revision) : null;
      if (known) return known;
      await git.raw(['fetch', '--no-tags', '--force', url, '+refs/heads/*:refs/muster/heads/*', '+refs/tags/*:refs/muster/tags/*']);
      const sha = await this.resolvePinned(git, revision);
      if (!sha) throw new Error(`revision ${revision} is not in ${url}`);
      return sha;
    }
    // The leading `+` accepts a non-fast-forward: a force-push that rewinds the branch is followed too.
    const source = branch ? `refs/heads/${branch}` : 'HEAD';
    await git.raw(['fetch', '--no-tags', '--force', url, `+${source}:${LOCAL_REF}`]);
    return (await git.raw(['rev-parse', '--verify', `${LOCAL_REF}^{commit}`])).trim();
  }

  protected async fetchRevision(): Promise<Revision> {
    const git = await this.ensureClone();
    const sha = await this.fetchCommit(git);
    if (this.last?.id === sha) return this.last;
    failpoint('git-fetch');
    const [{ files }, commit] = await Promise.all([readFilesAtRef(this.repoDir, sha), commitOf(git, sha)]);
    this.last = { id: sha, files, ...(commit ? { commit } : {}) };
    return this.last;
  }
}

// The author, commit time and subject of a commit; null when git cannot say (the revision stays usable).
async function commitOf(git: SimpleGit, sha: string): Promise<RevisionCommit | null> {
  try {
    const [author = '', committedAt = '', subject = ''] = (await git.raw(['show', '-s', '--format=%an <%ae>%n%cI%n%s', sha])).split('\n');
    return { author, committedAt, subject };
  } catch {
    return null;
  }
}
