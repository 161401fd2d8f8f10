import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { DirectorySource } from '../../controller/sources/directory-source.js';
import { TrackedSource } from '../../controller/sources/revision-tracker.js';
import { backgroundClock, type Clock } from '../../lib/clock.js';
import { appliance, docs, release, rollout } from '../desired/fleet-builders.js';
import { eventually } from '../helpers/eventually.js';
import { ManualClock } from '../helpers/manual-clock.js';

let dirs: string[] = [];
let sources: DirectorySource[] = [];
afterEach(async () => {
  await Promise.all(sources.map((s) => s.stop()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
  sources = [];
});

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'muster-dir-'));
  dirs.push(dir);
  write(dir, files);
  return dir;
}

function write(dir: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

function tracked(source: DirectorySource, clock: Clock = backgroundClock): TrackedSource {
  sources.push(source);
  return new TrackedSource(source, clock);
}

describe('directory source', () => {
  test('serves the tree as it is, with a content hash as revision', async () => {
    const dir = tree({ 'appliances.yaml': docs(appliance('a'), appliance('b')), '.hidden/x.yaml': 'not: [read' });
    const t = tracked(new DirectorySource({ dir, watch: false }));
    await t.start();
    expect(t.status()).toMatchObject({ kind: 'directory', location: dir, errors: [], fetchError: null });
    expect(t.status().lastAppliedRevision).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(t.current()?.appliances.map((a) => a.name)).toEqual(['a', 'b']);
  });

  test('the same content gives the same revision; a change gives another', async () => {
    const dir = tree({ 'a.yaml': appliance('a') });
    const source = new DirectorySource({ dir, watch: false });
    sources.push(source);
    const first = (await source.sync())?.id;
    expect((await source.sync())?.id).toBe(first);
    write(dir, { 'a.yaml': appliance('a', { site: 'lab' }) });
    expect((await source.sync())?.id).not.toBe(first);
  });

  test('a saved change is picked up by the watcher', async () => {
    const dir = tree({ 'a.yaml': appliance('a') });
    const t = tracked(new DirectorySource({ dir, debounceMs: 20 }));
    await t.start();
    const first = t.status().lastAppliedRevision;
    write(dir, { 'b.yaml': appliance('b') });
    await eventually(() => t.status().lastAppliedRevision !== first, { what: 'the new file to be read', timeoutMs: 10_000 });
    expect(t.current()?.appliances.map((a) => a.name)).toEqual(['a', 'b']);
  });

  test('changes are debounced: a burst of saves is read once, after the quiet time', async () => {
    const clock = new ManualClock();
    const dir = tree({ 'a.yaml': appliance('a') });
    const source = new DirectorySource({ dir, debounceMs: 500, clock });
    const t = tracked(source, clock);
    await t.start();
    let fetches = 0;
    source.onFetch(() => (fetches += 1));
    write(dir, { 'b.yaml': appliance('b') });
    await eventually(() => clock.delays()[0] === 500, { what: 'the watcher to see the first save', timeoutMs: 10_000 });
    clock.advance(100);
    expect(clock.delays()).toEqual([400]);
    write(dir, { 'c.yaml': appliance('c') });
    // The second save restarts the quiet time; nothing has been read yet.
    await eventually(() => clock.delays()[0] === 500, { what: 'the watcher to see the second save', timeoutMs: 10_000 });
    clock.advance(499);
    expect(fetches).toBe(0);
    const read = new Promise<void>((resolve) => source.onFetch(() => resolve()));
    clock.advance(1);
    await read;
    expect(fetches).toBe(1);
    expect(t.current()?.appliances.map((a) => a.name)).toEqual(['a', 'b', 'c']);
  });

  test('a bad save is rejected and the last good tree stays; the fix is taken', async () => {
    const dir = tree({ 'r.yaml': docs(release('v1.0.0'), rollout('v1.0.0')) });
    const t = tracked(new DirectorySource({ dir, watch: false }));
    await t.start();
    const good = t.status().lastAppliedRevision;
    write(dir, { 'r.yaml': docs(release('v1.0.0'), rollout('v1.0.0', { stages: [{ percent: 90 }] })) });
    await t.sync();
    expect(t.status()).toMatchObject({ lastAppliedRevision: good, errors: [{ file: 'r.yaml', line: 19, column: 16, path: 'spec.stages[0].percent', message: 'stages must end at 100 (last is 90)' }] });
    expect(t.status().lastAttemptedRevision).not.toBe(good);
    expect(t.current()?.revision).toBe(good);
    write(dir, { 'r.yaml': docs(release('v1.0.0'), rollout('v1.0.0', { stages: [{ percent: 100 }], paused: true })) });
    await t.sync();
    expect(t.status().errors).toEqual([]);
    expect(t.current()?.rollouts[0]?.paused).toBe(true);
  });

  test('a missing directory is a fetch error, retried on backoff', async () => {
    const clock = new ManualClock();
    const dir = join(tree({}), 'nope');
    const t = tracked(new DirectorySource({ dir, watch: false, clock, backoff: { baseMs: 1_000, maxMs: 8_000 } }), clock);
    await t.start();
    expect(t.status().fetchError).toMatchObject({ failures: 1, message: expect.stringContaining('ENOENT') });
    expect(clock.delays()).toEqual([1_000]);
    expect(t.current()).toBeNull();
  });

  test('an unreadable file rejects the revision rather than dropping the file', async () => {
    const dir = tree({ 'a.yaml': appliance('a'), 'b.yaml': appliance('b') });
    const t = tracked(new DirectorySource({ dir, watch: false }));
    await t.start();
    // A link to nowhere cannot be read, even by root (who reads any file whatever its mode).
    rmSync(join(dir, 'b.yaml'));
    symlinkSync(join(dir, 'moved-away.yaml'), join(dir, 'b.yaml'));
    await t.sync();
    expect(t.status().errors).toEqual([expect.objectContaining({ file: 'b.yaml', line: 1, column: 1, message: expect.stringContaining('cannot read') })]);
    expect(t.current()?.appliances).toHaveLength(2);
  });
});
