import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { loadFleetFiles } from '../../controller/desired/load.js';
import { readFilesAtRef } from '../../controller/sources/git-files.js';
import { appliance, release } from '../desired/fleet-builders.js';
import { createGitFixture, type GitFixture } from './git-repos.js';

let fixtures: GitFixture[] = [];
afterEach(() => {
  for (const f of fixtures) f.cleanup();
  fixtures = [];
});

async function repo(): Promise<GitFixture> {
  const git = await createGitFixture();
  fixtures.push(git);
  return git;
}

describe('readFilesAtRef', () => {
  test('the fleet files of a commit, whatever the working tree holds now', async () => {
    const git = await repo();
    const first = await git.commit({ 'fleet/a.yaml': appliance('a'), 'fleet/notes.md': '# notes', 'fleet/.ci/x.yaml': 'x: 1', 'other.yaml': appliance('z') });
    await git.commit({ 'fleet/b.yml': appliance('b'), 'fleet/a.yaml': null });
    const atFirst = await readFilesAtRef(git.workDir, first);
    expect(atFirst.revision).toBe(first);
    expect(atFirst.files.map((f) => f.path)).toEqual(['fleet/a.yaml', 'other.yaml']);
    const atHead = await readFilesAtRef(git.workDir, 'HEAD');
    expect(atHead.files.map((f) => f.path)).toEqual(['fleet/b.yml', 'other.yaml']);
    expect(atHead.files[0]?.content).toBe(appliance('b'));
  });

  test('from a subdirectory: only its files, relative to it, as the directory loader sees them', async () => {
    const git = await repo();
    const sha = await git.commit({ 'fleet/releases/v1.0.0.yaml': release('v1.0.0'), 'other.yaml': appliance('z') });
    const { files } = await readFilesAtRef(join(git.workDir, 'fleet'), sha);
    expect(files.map((f) => f.path)).toEqual(['releases/v1.0.0.yaml']);
    const result = loadFleetFiles(files, sha);
    expect(result.ok && result.state.releases.map((r) => r.name)).toEqual(['v1.0.0']);
  });

  test('a branch name, a short SHA and HEAD~1 all name commits', async () => {
    const git = await repo();
    const first = await git.commit({ 'a.yaml': appliance('a') });
    const second = await git.commit({ 'b.yaml': appliance('b') });
    expect((await readFilesAtRef(git.workDir, 'main')).revision).toBe(second);
    expect((await readFilesAtRef(git.workDir, first.slice(0, 8))).revision).toBe(first);
    expect((await readFilesAtRef(git.workDir, 'HEAD~1')).revision).toBe(first);
  });

  test('a subdirectory absent at that commit gives no files', async () => {
    const git = await repo();
    const first = await git.commit({ 'a.yaml': appliance('a') });
    await git.commit({ 'fleet/b.yaml': appliance('b') });
    expect((await readFilesAtRef(join(git.workDir, 'fleet'), first)).files).toEqual([]);
  });

  test('symbolic links are not followed', async () => {
    const git = await repo();
    symlinkSync('/etc/hostname', join(git.workDir, 'link.yaml'));
    const sha = await git.commit({ 'a.yaml': appliance('a') });
    expect((await readFilesAtRef(git.workDir, sha)).files.map((f) => f.path)).toEqual(['a.yaml']);
  });

  test('a name that is not a commit is refused', async () => {
    const git = await repo();
    await git.commit({ 'a.yaml': appliance('a') });
    await expect(readFilesAtRef(git.workDir, 'no-such-branch')).rejects.toThrow(/does not name a commit/);
    await expect(readFilesAtRef(git.workDir, '--output=/tmp/x')).rejects.toThrow(/does not name a commit/);
  });
});
