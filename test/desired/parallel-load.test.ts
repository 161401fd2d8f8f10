import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { batches, CheckPool } from '../../controller/desired/check-pool.js';
import { loadFleetFiles, type FleetFile } from '../../controller/desired/load.js';
import { readFleetDirectory } from '../../controller/desired/load-directory.js';
import { loadFleetFilesInParallel, PARALLEL_MIN_BYTES, parallelPoolFor } from '../../controller/desired/parallel-load.js';
import { appliance, files } from './fleet-builders.js';
import { builtPool, largeFleet } from './large-fleet.js';

const pool = builtPool();
const temporary: string[] = [];
afterAll(async () => {
  await pool.close();
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'muster-parallel-'));
  temporary.push(dir);
  return dir;
}

/** Every directory of a corpus, by name. */
function corpus(root: string, sub = ''): [string, string][] {
  return readdirSync(root)
    .filter((name) => statSync(join(root, name)).isDirectory())
    .sort()
    .map((name) => [name, join(root, name, sub)] as [string, string])
    .filter(([, dir]) => existsSync(dir));
}

const REPOSITORIES: [string, string][] = [
  ...corpus('test/fixtures/invalid').map(([name, dir]): [string, string] => [`invalid/${name}`, dir]),
  ...corpus('test/fixtures/valid').map(([name, dir]): [string, string] => [`valid/${name}`, dir]),
  ...corpus('test/fixtures/scenarios', 'fleet').map(([name, dir]): [string, string] => [`scenario/${name}`, dir]),
  ['fleet-repo-example', 'fleet-repo-example'],
];

/** Both paths over the same files: the reference in this thread, and the workers (forced, whatever the size). */
async function bothWays(given: FleetFile[]) {
  const reference = loadFleetFiles(given, 'rev');
  const parallel = await loadFleetFilesInParallel(given, 'rev', { pool, minBytes: 0 });
  return { reference, parallel };
}

describe('loading on worker threads gives what loading in one thread gives', () => {
  test.each(REPOSITORIES)('%s', async (_name, dir) => {
    const { files: given } = await readFleetDirectory(dir);
    const { reference, parallel } = await bothWays(given);
    expect(parallel).toEqual(reference);
  });

  test.each([
    { name: 'a large valid repository, cut into batches', given: largeFleet(120, 20) },
    { name: 'a large repository with mistakes in several batches and across them', given: largeFleet(120, 20, [3, 60, 119]) },
  ])('$name', async ({ given }) => {
    expect(batches(given, 16).length).toBeGreaterThan(4);
    const { reference, parallel } = await bothWays(given);
    expect(parallel).toEqual(reference);
    // Errors from single files, and the rules across documents, all survive the trip.
    if (!reference.ok) expect(new Set(reference.errors.map((e) => e.file.split('/')[0])).size).toBeGreaterThan(2);
  });

  test('random mutations of valid repositories: the same errors, positions and state', async () => {
    const repositories = await Promise.all(['fleet-repo-example', 'test/fixtures/valid/full'].map(async (dir) => (await readFleetDirectory(dir)).files));
    const pieces = ['\t', ': ', '- ', '"', '&a ', '*a', '---\n', '{', ']', '#', '100', 'spec', '\n  ', '__proto__: 1\n', '%YAML 1.1\n---\n'];
    let invalid = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), fc.nat(), fc.nat({ max: pieces.length - 1 }), fc.boolean(), async (repo, file, at, piece, cut) => {
        const chosen = repositories[repo % repositories.length] as FleetFile[];
        const index = file % chosen.length;
        const given = chosen.map((f, i) => {
          if (i !== index) return f;
          const where = at % (f.content.length + 1);
          return { path: f.path, content: cut ? f.content.slice(0, where) + f.content.slice(where + 3) : f.content.slice(0, where) + pieces[piece] + f.content.slice(where) };
        });
        const { reference, parallel } = await bothWays(given);
        expect(parallel).toEqual(reference);
        if (!reference.ok) invalid += 1;
      }),
      { numRuns: 60 },
    );
    expect(invalid).toBeGreaterThan(10);
  });
});

describe('when the workers fail, the load runs in the calling thread', () => {
  const scripts = {
    'a worker that cannot start': "throw new Error('cannot start');\n",
    'a worker that answers with an error': "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', (m) => parentPort.postMessage({ batch: m.batch, error: 'broken' }));\n",
    'a worker that exits mid-batch': "import { parentPort } from 'node:worker_threads';\nparentPort.on('message', () => process.exit(3));\n",
  };
  test.each(Object.entries(scripts))('%s: the same result, and the pool is no longer used', async (_name, script) => {
    const path = join(tempDir(), 'worker.mjs');
    writeFileSync(path, script);
    const failing = new CheckPool(2, pathToFileURL(path));
    const given = largeFleet(30, 10, [7]);
    const result = await loadFleetFilesInParallel(given, 'rev', { pool: failing, minBytes: 0, startWorkers: true });
    expect(result).toEqual(loadFleetFiles(given, 'rev'));
    expect(failing.usable).toBe(false);
    expect(parallelPoolFor(given, { pool: failing, minBytes: 0 })).toBeNull();
    await failing.close();
  });
});

describe('which repositories go to the workers', () => {
  const bytes = (given: FleetFile[]) => given.reduce((n, f) => n + f.content.length, 0);
  const small = files({ 'a.yaml': appliance('a') });
  const large = largeFleet(100, 20);
  const cold = () => new CheckPool(2, pool.script);
  test.each([
    { name: 'a small repository stays in the calling thread', given: small, options: () => ({ pool }), want: false },
    { name: 'a large one goes to workers already running', given: large, options: () => ({ pool }), want: true },
    { name: 'a one-shot load does not start them', given: large, options: () => ({ pool: cold() }), want: false },
    { name: 'a load that may start them does', given: large, options: () => ({ pool: cold(), startWorkers: true }), want: true },
    { name: 'even then a small one stays', given: small, options: () => ({ pool: cold(), startWorkers: true }), want: false },
    { name: 'a threshold given sends a small one too', given: small, options: () => ({ pool, minBytes: 0 }), want: true },
    { name: 'no pool: always the calling thread', given: large, options: () => ({ pool: null, startWorkers: true }), want: false },
  ])('$name', async ({ given, options, want }) => {
    expect(bytes(small)).toBeLessThan(PARALLEL_MIN_BYTES);
    expect(bytes(large)).toBeGreaterThan(PARALLEL_MIN_BYTES);
    await pool.check(small);
    expect(pool.started).toBe(true);
    expect(parallelPoolFor(given, options()) !== null).toBe(want);
  });
});

describe('a load that releases the workers', () => {
  test('gives the same result, stops the workers, and the next load starts them again', async () => {
    const given = largeFleet(100, 20);
    const reference = loadFleetFiles(given, 'rev');
    const releasing = new CheckPool(2, pool.script);
    try {
      const first = await loadFleetFilesInParallel(given, 'rev', { pool: releasing, startWorkers: true, releaseWorkers: true });
      expect(first).toEqual(reference);
      expect(releasing.started).toBe(false);
      expect(releasing.usable).toBe(true);
      const again = await loadFleetFilesInParallel(given, 'rev', { pool: releasing, startWorkers: true, releaseWorkers: true });
      expect(again).toEqual(reference);
      expect(releasing.started).toBe(false);
    } finally {
      await releasing.close();
    }
  });

  test('leaves the workers of a load still running', async () => {
    const busy = new CheckPool(2, pool.script);
    try {
      const given = largeFleet(100, 20);
      const running = busy.check(given);
      await busy.release();
      expect(busy.started).toBe(true);
      await expect(running).resolves.toHaveLength(given.length);
    } finally {
      await busy.close();
    }
  });
});

describe('batches', () => {
  const sized = (...sizes: number[]) => sizes.map((n, i) => ({ path: `f${i}.yaml`, content: 'x'.repeat(n) }));
  const KB = 1024;
  test.each([
    { name: 'nothing', given: { sizes: [] as number[], count: 4 }, want: [] as number[][] },
    { name: 'small files share one batch', given: { sizes: [10, 10, 10], count: 4 }, want: [[0, 3]] },
    { name: 'even files split evenly', given: { sizes: [64 * KB, 64 * KB, 64 * KB, 64 * KB], count: 2 }, want: [[0, 2], [2, 2]] },
    { name: 'a file larger than a batch is a batch of its own', given: { sizes: [40 * KB, 300 * KB, 40 * KB], count: 4 }, want: [[0, 1], [1, 1], [2, 1]] },
  ])('$name', ({ given, want }) => {
    const got = batches(sized(...given.sizes), given.count).map(([first, batch]) => [first, batch.length]);
    expect(got).toEqual(want);
  });

  test('every file once, in order, each batch a run of consecutive files', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 100 * KB }), { maxLength: 60 }), fc.integer({ min: 1, max: 32 }), (sizes, count) => {
        const given = sized(...sizes);
        const cut = batches(given, count);
        expect(cut.flatMap(([, batch]) => batch)).toEqual(given);
        let next = 0;
        for (const [first, batch] of cut) {
          expect(first).toBe(next);
          expect(batch.length).toBeGreaterThan(0);
          next += batch.length;
        }
      }),
    );
  });
});

describe('a process that loaded on worker threads', () => {
  test('ends on its own: idle workers never keep it alive', async () => {
    const dir = tempDir();
    const script = join(dir, 'load.mjs');
    const module = (path: string) => JSON.stringify(pathToFileURL(join(process.cwd(), 'dist', path)).href);
    writeFileSync(
      script,
      `import { loadFleetFilesInParallel } from ${module('controller/desired/parallel-load.js')};
import { sharedCheckPool } from ${module('controller/desired/check-pool.js')};
const files = JSON.parse(process.argv[2]);
const result = await loadFleetFilesInParallel(files, 'rev', { startWorkers: true, minBytes: 0 });
console.log(JSON.stringify({ ok: result.ok, workers: sharedCheckPool()?.started ?? false }));
`,
    );
    const { stdout } = await promisify(execFile)(process.execPath, [script, JSON.stringify(largeFleet(20, 5))], { timeout: 20_000 });
    expect(JSON.parse(stdout)).toEqual({ ok: true, workers: availableParallelism() > 1 });
  });
});
