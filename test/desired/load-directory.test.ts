import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { contentRevision, loadFleetDirectory } from '../../controller/desired/load-directory.js';
import { appliance } from './fleet-builders.js';

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'muster-load-'));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

describe('loadFleetDirectory', () => {
  test('reads *.yaml and *.yml at any depth; skips dot entries and other files', async () => {
    const dir = tree({
      'a.yaml': appliance('a'),
      'deep/er/b.yml': appliance('b'),
      '.github/workflows/ci.yaml': 'on: [push]\n',
      '.hidden.yaml': 'not: [valid',
      'README.md': '# fleet',
    });
    const result = await loadFleetDirectory(dir);
    expect(result.ok ? result.state.objects.map((o) => o.source.file) : result.errors).toEqual(['a.yaml', 'deep/er/b.yml']);
  });

  test('symbolic links to files are read; links to directories are not followed', async () => {
    const dir = tree({ 'real/a.yaml': appliance('a') });
    symlinkSync(join(dir, 'real/a.yaml'), join(dir, 'link.yaml'));
    symlinkSync(dir, join(dir, 'loop'));
    const result = await loadFleetDirectory(dir);
    // The link and its target declare the same appliance: read both, so the duplicate is reported.
    expect(result.ok ? [] : result.errors.map((e) => `${e.file}:${e.path}`)).toEqual(['real/a.yaml:metadata.name']);
  });

  test('the revision is a content hash: stable, and changed by any path or content change', async () => {
    const files = [
      { path: 'a.yaml', content: appliance('a') },
      { path: 'b.yaml', content: appliance('b') },
    ];
    const revision = contentRevision(files);
    expect(revision).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(contentRevision([...files].reverse())).toBe(revision);
    expect(contentRevision([files[0]!, { path: 'c.yaml', content: appliance('b') }])).not.toBe(revision);
    expect(contentRevision([files[0]!, { path: 'b.yaml', content: appliance('b', { site: 'x' }) }])).not.toBe(revision);
    const loaded = await loadFleetDirectory(tree({ 'a.yaml': appliance('a'), 'b.yaml': appliance('b') }));
    expect(loaded.ok && loaded.state.revision).toBe(revision);
  });

  test('a file that cannot be read is an error at its first line', async () => {
    const dir = tree({ 'a.yaml': appliance('a') });
    symlinkSync(join(dir, 'gone.yaml'), join(dir, 'b.yaml'));
    const result = await loadFleetDirectory(dir);
    expect(result).toEqual({ ok: false, errors: [{ file: 'b.yaml', line: 1, column: 1, path: '', message: expect.stringContaining('cannot read the file') }] });
  });

  test('a directory that cannot be read rejects', async () => {
    await expect(loadFleetDirectory(join(tmpdir(), 'muster-no-such-dir', 'x'))).rejects.toThrow(/ENOENT/);
  });
});
