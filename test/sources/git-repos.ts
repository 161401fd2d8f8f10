import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { simpleGit, type SimpleGit } from 'simple-git';

/** A bare remote and a working clone in a temp dir, for sources to fetch from over file://. */
export interface GitFixture {
  root: string;
  remoteDir: string;
  url: string;
  work: SimpleGit;
  workDir: string;
  /** Writes the files (null deletes), commits them and pushes; returns the commit SHA. */
  commit(files: Record<string, string | null>, message?: string, branch?: string): Promise<string>;
  cleanup(): void;
}

export async function createGitFixture(): Promise<GitFixture> {
  const root = mkdtempSync(join(tmpdir(), 'muster-git-'));
  const remoteDir = join(root, 'remote.git');
  const workDir = join(root, 'work');
  mkdirSync(remoteDir);
  await simpleGit({ baseDir: remoteDir }).init(true, ['--initial-branch=main']);
  mkdirSync(workDir);
  const work = simpleGit({ baseDir: workDir });
  await work.init(['--initial-branch=main']);
  await work.addConfig('user.name', 'Fleet Engineer').addConfig('user.email', 'fleet@example.com').addConfig('commit.gpgsign', 'false');
  await work.addRemote('origin', remoteDir);
  return {
    root,
    remoteDir,
    url: pathToFileURL(remoteDir).href,
    work,
    workDir,
    async commit(files, message = 'change', branch = 'main') {
      const current = (await work.raw(['branch', '--show-current'])).trim();
      if (current !== branch) await work.raw(['checkout', '-B', branch]);
      for (const [path, content] of Object.entries(files)) {
        const full = join(workDir, path);
        if (content === null) rmSync(full, { force: true });
        else {
          mkdirSync(dirname(full), { recursive: true });
          writeFileSync(full, content);
        }
      }
      await work.raw(['add', '-A']);
      await work.commit(message, { '--allow-empty': null });
      await work.push('origin', branch, ['--force']);
      return (await work.revparse(['HEAD'])).trim();
    },
    cleanup() {
      rmSync(root, { recursive: true, force: true });
    },
  };
}
