import { spawn } from 'node:child_process';
import { simpleGit } from 'simple-git';
import { isFleetFilePath, type FleetFile } from '../desired/load.js';

/** The fleet files of one commit and the commit's full SHA, which is their revision. */
export interface CommitFiles {
  revision: string;
  files: FleetFile[];
}

/** Runs `git cat-file --batch` over `oids` and returns each object's content, in order. */
function catFiles(repoDir: string, oids: string[]): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', ['cat-file', '--batch'], { cwd: repoDir, stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`git cat-file failed: ${stderr.trim()}`));
      const out = Buffer.concat(chunks);
      const contents: Buffer[] = [];
      let at = 0;
      for (let i = 0; i < oids.length; i++) {
        const headerEnd = out.indexOf(0x0a, at);
        const size = Number(out.subarray(at, headerEnd).toString().split(' ')[2]);
        contents.push(out.subarray(headerEnd + 1, headerEnd + 1 + size));
        at = headerEnd + 1 + size + 1;
      }
      resolve(contents);
    });
    child.stdin.end(oids.map((oid) => `${oid}\n`).join(''));
  });
}

/**
 * The `*.yaml`/`*.yml` files of commit `ref` in the repository at `repoDir`, read from git's
 * objects without touching the working tree. When `repoDir` is a subdirectory of a working tree,
 * only the files under it are read, with paths relative to it (as `loadFleetDirectory` would see
 * them); a subdirectory absent at that commit gives no files. Rejects when `ref` names no commit.
 */
export async function readFilesAtRef(repoDir: string, ref: string): Promise<CommitFiles> {
  const git = simpleGit({ baseDir: repoDir });
  let revision = '';
  // A ref that looks like an option is never handed to git.
  if (!ref.startsWith('-')) {
    try {
      revision = (await git.raw(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`])).trim();
    } catch {
      revision = '';
    }
  }
  if (!/^[0-9a-f]{40,64}$/.test(revision)) throw new Error(`${ref} does not name a commit in ${repoDir}`);
  // Without --full-tree, ls-tree lists only what lies under the current directory, relative to it.
  const listing = await git.raw(['ls-tree', '-r', '-z', revision]);
  const entries = listing
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf('\t');
      const [mode, type, oid] = line.slice(0, tab).split(' ');
      return { mode, type, oid: oid as string, path: line.slice(tab + 1) };
    })
    // Regular files only: symbolic links (mode 120000) and submodules carry no fleet documents.
    .filter((e) => e.type === 'blob' && e.mode !== '120000' && isFleetFilePath(e.path))
    .filter((e) => !e.path.split('/').some((part) => part.startsWith('.')));
  const contents = entries.length ? await catFiles(repoDir, entries.map((e) => e.oid)) : [];
  const files = entries.map((e, i) => ({ path: e.path, content: (contents[i] as Buffer).toString('utf8') }));
  return { revision, files };
}
