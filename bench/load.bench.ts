import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { closeSharedCheckPool, sharedCheckPool } from '../controller/desired/check-pool.js';
import { loadFleetFiles } from '../controller/desired/load.js';
import { contentRevision, loadFleetDirectory, readFleetDirectory } from '../controller/desired/load-directory.js';
import { loadFleetFilesInParallel } from '../controller/desired/parallel-load.js';
import { withPlainEnvironment } from '../controller/desired/parse-documents.js';
import { median, timeMs, type BenchResult, type Benchmark } from './bench.js';

const DOCUMENTS = 10_000;
const RUNS = 9;
const GOAL_MS = 1_000;
const SITES = 60;
const APPLIANCES_PER_FILE = 50;
const RELEASES = 400;

const header = (kind: string, name: string) => `apiVersion: muster.dev/v1alpha1\nkind: ${kind}\nmetadata:\n  name: ${name}\n`;
const sha = (i: number) => i.toString(16).padStart(64, '0');

/**
 * A realistic repository of `DOCUMENTS` documents: appliances in multi-document files per site,
 * one file per release and per rollout (with selectors, stages and windows), a retention policy
 * per ring, a Fleet and an OtsPolicy.
 */
export function writeRepository(dir: string): { files: number; documents: number } {
  const files = new Map<string, string[]>();
  const add = (path: string, doc: string) => files.set(path, [...(files.get(path) ?? []), doc]);
  add('fleet.yaml', `${header('Fleet', 'bench')}spec:\n  checkinInterval: 60s\n  offlineAfter: 5m\n`);
  add('policies/ots.yaml', `${header('OtsPolicy', 'default')}spec:\n  calendars:\n    - https://alice.btc.calendar.opentimestamps.org\n    - https://bob.btc.calendar.opentimestamps.org\n  expireAfter: 7d\n`);
  const rings = ['canary', 'early', 'general'];
  for (const ring of rings) {
    add(`policies/retention-${ring}.yaml`, `${header('RetentionPolicy', `retention-${ring}`)}spec:\n  selector:\n    matchLabels:\n      ring: ${ring}\n  incidents:\n    retainDays: 30\n    pruneEvery: 24h\n  maxDatabaseBytes: 2Gi\n`);
  }
  for (let r = 0; r < RELEASES; r++) {
    const version = `2.${Math.floor(r / 100)}.${r % 100}`;
    add(`releases/v${version}.yaml`, `${header('Release', `v${version}`)}spec:\n  version: ${version}\n  image:\n    version: "${version}"\n    url: https://updates.example.com/images/${version}.img\n    sha256: "${sha(r)}"\n    sizeBytes: 1288490188\n`);
    const window = r % 3 === 0 ? '  window:\n    days: [mon, tue, wed, thu, fri]\n    start: "22:00"\n    end: "05:00"\n    timeZone: Europe/Berlin\n' : '';
    add(
      `rollouts/v${version}.yaml`,
      `${header('Rollout', `v${version}`)}spec:\n  release: v${version}\n  selector:\n    matchExpressions:\n      - key: ring\n        operator: In\n        values: [${rings.slice(0, 1 + (r % 3)).join(', ')}]\n  stages:\n    - percent: 5\n      soak: 1h\n    - percent: 25\n      soak: 6h\n    - percent: 100\n  progressDeadline: 24h\n  failurePolicy:\n    maxFailures: 1\n    action: pause\n${window}`,
    );
  }
  let count = [...files.values()].reduce((n, docs) => n + docs.length, 0);
  for (let i = 0; count < DOCUMENTS; i++, count++) {
    const site = i % SITES;
    const file = `appliances/site-${String(site).padStart(2, '0')}-${Math.floor(i / (SITES * APPLIANCES_PER_FILE))}.yaml`;
    add(file, `${header('Appliance', `site-${site}-appliance-${i}`)}  labels:\n    site: site-${site}\n    client: client-${site % 12}\n    ring: ${rings[i % 3]}\n    hardware: ${i % 2 ? 'hp-t640' : 'dell-wyse-5070'}\n`);
  }
  for (const [path, docs] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), docs.join('---\n'));
  }
  return { files: files.size, documents: count };
}

/** The baseline: read the same files and parse their YAML into data, nothing more, in one thread. */
async function parseOnly(dir: string): Promise<number> {
  const { files } = await readFleetDirectory(dir);
  let documents = 0;
  for (const file of files) {
    for (const doc of parseAllDocuments(file.content)) {
      doc.toJS();
      documents += 1;
    }
  }
  return documents;
}

/** The baseline with the parser set up as the loader sets it up (see `withPlainEnvironment`). */
async function parseOnlyPlainEnvironment(dir: string): Promise<number> {
  const { files } = await readFleetDirectory(dir);
  return withPlainEnvironment(() => {
    let documents = 0;
    for (const file of files) {
      for (const doc of parseAllDocuments(file.content)) {
        doc.toJS();
        documents += 1;
      }
    }
    return documents;
  });
}

const CLI = fileURLToPath(new URL('../controller/cli/main.js', import.meta.url));
const CLI_RUNS = 3;

/** As the controller's directory source loads a revision: read from disk, checked on the workers (started once). */
async function loadOnWorkers(dir: string) {
  const { files } = await readFleetDirectory(dir);
  return loadFleetFilesInParallel(files, contentRevision(files), { startWorkers: true });
}

/** As `muster validate` loads: read from disk, checked in one thread. */
async function loadInOneThread(dir: string) {
  const { files } = await readFleetDirectory(dir);
  return loadFleetFiles(files, contentRevision(files));
}

/** Median wall time of `muster validate DIR` as a whole process: start-up, loading, output. */
async function validateProcess(dir: string): Promise<number> {
  const run = promisify(execFile);
  const times: number[] = [];
  for (let i = 0; i < CLI_RUNS; i++) times.push((await timeMs(() => run(process.execPath, [CLI, 'validate', dir], { maxBuffer: 1 << 24 }))).ms);
  return median(times);
}

type Measured = { wall: number; cpu: number };

/**
 * Median wall time and median CPU time (user + system, every thread) of `RUNS` runs of each
 * function after a warm-up of each, the functions taking turns run by run, so that the load other
 * work puts on this shared machine falls on all of them alike. The CPU time says what the work
 * costs; the wall time says what a user waits.
 */
async function mediansOf<K extends string>(fns: Record<K, () => Promise<unknown> | unknown>): Promise<Record<K, Measured>> {
  const names = Object.keys(fns) as K[];
  for (const name of names) await fns[name](); // warm up: compiled code, ajv's validators, the workers, the page cache
  const samples = Object.fromEntries(names.map((name) => [name, { wall: [] as number[], cpu: [] as number[] }])) as Record<K, { wall: number[]; cpu: number[] }>;
  for (let i = 0; i < RUNS; i++) {
    for (const name of names) {
      const before = process.cpuUsage();
      samples[name].wall.push((await timeMs(fns[name])).ms);
      const used = process.cpuUsage(before);
      samples[name].cpu.push((used.user + used.system) / 1000);
    }
  }
  return Object.fromEntries(names.map((name) => [name, { wall: median(samples[name].wall), cpu: median(samples[name].cpu) }])) as Record<K, Measured>;
}

/** `load`: load and validate a generated 10,000-document repository, beside a parse-only pass over the same files. */
export const loadBenchmark: Benchmark = {
  id: 'load',
  async run(): Promise<BenchResult> {
    const dir = mkdtempSync(join(tmpdir(), 'muster-bench-load-'));
    try {
      const { files, documents } = writeRepository(dir);
      const check = await loadFleetDirectory(dir);
      if (!check.ok) throw new Error(`the generated repository is invalid: ${check.errors[0]?.message}`);
      const loadAtStart = loadavg()[0] as number;
      const { load, oneThread, parse, parsePlain } = await mediansOf({
        load: () => loadOnWorkers(dir),
        oneThread: () => loadInOneThread(dir),
        parse: () => parseOnly(dir),
        parsePlain: () => parseOnlyPlainEnvironment(dir),
      });
      const workers = sharedCheckPool()?.started ? (sharedCheckPool()?.size ?? 0) : 0;
      await closeSharedCheckPool();
      const cli = await validateProcess(dir);
      const ratio = load.wall / parse.wall;
      const cpuRatio = load.cpu / parse.cpu;
      return {
        title: `Loading and validating a fleet repository of ${documents.toLocaleString('en')} documents`,
        figures: [
          { name: 'files', value: files, unit: '' },
          { name: 'documents', value: documents, unit: '' },
          { name: 'worker threads', value: workers, unit: '' },
          { name: `load + validate from disk on the workers (as the controller loads a revision), wall (median of ${RUNS})`, value: load.wall, unit: 'ms' },
          { name: 'load + validate from disk on the workers, CPU (every thread)', value: load.cpu, unit: 'ms' },
          { name: 'load + validate from disk in one thread (as muster validate loads), wall', value: oneThread.wall, unit: 'ms' },
          { name: 'load + validate from disk in one thread, CPU', value: oneThread.cpu, unit: 'ms' },
          { name: 'parse-only: read + YAML parse to data, one thread, wall', value: parse.wall, unit: 'ms' },
          { name: 'parse-only, CPU', value: parse.cpu, unit: 'ms' },
          { name: "parse-only with the loader's parser set-up (plain environment), wall", value: parsePlain.wall, unit: 'ms' },
          { name: "parse-only with the loader's parser set-up, CPU", value: parsePlain.cpu, unit: 'ms' },
          { name: 'ratio load+validate on the workers / parse-only (wall)', value: ratio, unit: '×' },
          { name: 'ratio load+validate on the workers / parse-only (CPU)', value: cpuRatio, unit: '×' },
          { name: "ratio load+validate in one thread / parse-only with the loader's set-up (CPU)", value: oneThread.cpu / parsePlain.cpu, unit: '×' },
          { name: `muster validate DIR, whole process, one thread (median of ${CLI_RUNS})`, value: cli, unit: 'ms' },
          { name: 'machine load average (1 min) at the start of the run', value: loadAtStart, unit: '' },
          { name: 'machine load average (1 min) at the end of the run', value: loadavg()[0] as number, unit: '' },
        ],
        comparison: `load+validate is ${ratio.toFixed(2)}× a parse-only pass over the same files in wall time, ${cpuRatio.toFixed(2)}× in CPU time`,
        goal: `load+validate of ${DOCUMENTS.toLocaleString('en')} documents under ${GOAL_MS} ms`,
        met: load.wall < GOAL_MS,
      };
    } finally {
      await closeSharedCheckPool();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
