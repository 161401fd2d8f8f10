import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MALLOC_SETTINGS, allocatorMode, mallocAssignments } from '../../controller/runtime/malloc-settings.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(`${root}/${path}`, 'utf8');
const lineOf = (path: string, start: string) => read(path).split('\n').find((line) => line.startsWith(start)) ?? '';

/**
 * Four worker threads each free a 16 MiB buffer (which, by default, makes glibc keep blocks up to that
 * size in its arenas from then on), allocate 100 buffers of 256 KiB and 1 MiB, and keep one in four.
 * Prints the process's resident memory at its peak and once the rest is collected, in MB.
 */
const FREE_IN_WORKERS = `
const { Worker } = require('node:worker_threads');
const source = \`
const { parentPort } = require('node:worker_threads');
let big = Buffer.alloc(16 << 20, 1); big = null; gc();
let all = [];
for (let i = 0; i < 100; i++) all.push(Buffer.alloc(i % 2 ? 1 << 20 : 256 << 10, 2));
const kept = all.filter((_, i) => i % 4 === 3); all = null;
parentPort.postMessage('allocated');
parentPort.on('message', () => { gc(); setTimeout(() => { gc(); parentPort.postMessage(kept.length); }, 100); });
\`;
const rss = () => Number(require('node:fs').readFileSync('/proc/self/status', 'utf8').match(/VmRSS:\\s+(\\d+)/)[1]) / 1024;
const workers = [0, 1, 2, 3].map(() => new Worker(source, { eval: true }));
const all = (message) => Promise.all(workers.map((w) => new Promise((resolve) => { w.once('message', resolve); if (message) w.postMessage(message); })));
all().then(async () => {
  const peakMb = rss();
  await all('free');
  await new Promise((resolve) => setTimeout(resolve, 200));
  console.log(JSON.stringify({ peakMb, afterMb: rss() }));
  process.exit(0);
});
`;

async function freeInWorkers(env: NodeJS.ProcessEnv): Promise<{ peakMb: number; afterMb: number }> {
  const { stdout } = await run(process.execPath, ['--expose-gc', '-e', FREE_IN_WORKERS], { env });
  return JSON.parse(stdout);
}

const withoutSettings = () => {
  const env = { ...process.env };
  for (const name of Object.keys(MALLOC_SETTINGS)) delete env[name];
  return env;
};

const glibc = process.platform === 'linux' && Boolean((process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime);

describe.runIf(glibc)("glibc's allocator settings the controller's launchers set", () => {
  it('give back what worker threads freed', async () => {
    const { peakMb, afterMb } = await freeInWorkers({ ...withoutSettings(), ...MALLOC_SETTINGS });
    // Three quarters of about 270 MB were freed.
    expect(peakMb - afterMb).toBeGreaterThan(150);
  });

  it("without them, glibc keeps what the worker threads freed in its arenas", async () => {
    const { peakMb, afterMb } = await freeInWorkers(withoutSettings());
    expect(peakMb - afterMb).toBeLessThan(50);
  });
});

describe('the launchers of the controller', () => {
  it.each([
    ['the muster command (its shebang)', () => read('controller/cli/main.ts').split('\n')[0] ?? ''],
    ['npm start', () => JSON.parse(read('package.json')).scripts.start as string],
    ['the container image', () => lineOf('Dockerfile', 'ENV MALLOC_')],
    ['the systemd unit', () => lineOf('manifests/systemd/muster-controller.service', 'Environment=MALLOC_').replace(/^Environment=/, '')],
  ])('%s sets every allocator setting', (_name, line) => {
    for (const assignment of mallocAssignments()) expect(line().split(/\s+/)).toContain(assignment);
  });
});

describe('allocatorMode', () => {
  it.each([
    ['every setting as the launchers set it', { ...MALLOC_SETTINGS }, 'compact'],
    ['none', {}, 'default'],
    ['only one', { MALLOC_ARENA_MAX: '2' }, 'default'],
    ['another value', { ...MALLOC_SETTINGS, MALLOC_ARENA_MAX: '4' }, 'default'],
  ] as const)('%s: %s', (_name, env, mode) => {
    expect(allocatorMode(env)).toBe(mode);
  });
});
