import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Hex } from './canonical.js';
import { isFleetFilePath, sortErrors, type FleetFile } from './load.js';
import { loadFleetFilesInParallel } from './parallel-load.js';
import type { LoadError, LoadResult } from './types.js';
import { mapLimited } from '../../lib/map-limited.js';

/** Files of a directory tree that the loader reads, and the ones that could not be read. */
export interface DirectoryFiles {
  files: FleetFile[];
  unreadable: LoadError[];
}

/**
 * Every `*.yaml`/`*.yml` file under `dir`, with its path relative to `dir` and `/`-separated.
 * Entries whose name starts with `.` (`.git`, editor files) are skipped, and so are symbolic links
 * to directories (they could loop). Rejects when `dir` itself cannot be read; a file that cannot
 * be read is reported in `unreadable` instead.
 */
export async function readFleetDirectory(dir: string): Promise<DirectoryFiles> {
  const paths: { path: string; link: boolean }[] = [];
  const visit = async (relative: string): Promise<void> => {
    const entries = await readdir(join(dir, relative), { withFileTypes: true });
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await visit(path);
      else if (isFleetFilePath(entry.name)) paths.push({ path, link: entry.isSymbolicLink() });
    }
  };
  await visit('');
  const read = await mapLimited(paths, READ_CONCURRENCY, async ({ path, link }): Promise<FleetFile | LoadError | null> => {
    try {
      if (link && !(await stat(join(dir, path))).isFile()) return null;
      return { path, content: await readFile(join(dir, path), 'utf8') };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      return { file: path, line: 1, column: 1, path: '', message: `cannot read the file: ${reason}` };
    }
  });
  const files = read.filter((r): r is FleetFile => r !== null && 'content' in r);
  const unreadable = read.filter((r): r is LoadError => r !== null && 'message' in r);
  return { files, unreadable };
}

// Reading files one at a time leaves the disk and the thread pool idle between reads.
const READ_CONCURRENCY = 32;

/** A content hash of a set of files: the same paths and contents always give the same revision. */
export function contentRevision(files: readonly FleetFile[]): string {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const hashes = sorted.map((f) => `${f.path}\u0000${sha256Hex(f.content)}`).join('\n');
  return `sha256:${sha256Hex(hashes)}`;
}

/**
 * Loads the fleet repository in `dir` as it is on disk: see `loadFleetFiles` (a large repository
 * goes to the worker threads when they are running, with the same result: see
 * `loadFleetFilesInParallel`; a one-shot load does not start them). Its revision is a content
 * hash (`sha256:<hex>`), so an unchanged tree always gives the same revision. Rejects only when
 * `dir` cannot be read at all; bad content is returned as errors.
 */
export async function loadFleetDirectory(dir: string): Promise<LoadResult> {
  const { files, unreadable } = await readFleetDirectory(dir);
  const result = await loadFleetFilesInParallel(files, contentRevision(files));
  if (unreadable.length === 0) return result;
  return { ok: false, errors: sortErrors([...unreadable, ...(result.ok ? [] : result.errors)]) };
}
