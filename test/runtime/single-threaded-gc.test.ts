import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { collectorMode } from '../../controller/runtime/gc-mode.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path: string) => readFileSync(`${root}/${path}`, 'utf8');
const FLAG = '--single-threaded-gc';

/**
 * A worker thread allocates and promotes a few hundred MB; prints the CPU time of the worker's own
 * thread and of every other thread of the process (V8's collector helpers among them), in ms.
 */
const ALLOCATE_IN_WORKER = `
const { Worker } = require('node:worker_threads');
const source = \`
const { readFileSync } = require('node:fs');
const { parentPort } = require('node:worker_threads');
const kept = [];
for (let round = 0; round < 30; round++) {
  const objects = [];
  for (let i = 0; i < 200000; i++) objects.push({ i, s: 'x' + i, o: { round } });
  kept.push(objects);
  if (kept.length > 5) kept.shift();
}
const fields = readFileSync('/proc/thread-self/stat', 'utf8').split(') ')[1].split(' ');
parentPort.postMessage((Number(fields[11]) + Number(fields[12])) * 10);
\`;
const before = process.cpuUsage();
new Worker(source, { eval: true }).on('message', (workerMs) => {
  const used = process.cpuUsage(before);
  console.log(JSON.stringify({ workerMs, otherMs: (used.user + used.system) / 1000 - workerMs }));
});
`;

async function allocateInWorker(nodeArgs: string[]): Promise<{ workerMs: number; otherMs: number }> {
  const { stdout } = await run(process.execPath, [...nodeArgs, '-e', ALLOCATE_IN_WORKER]);
  return JSON.parse(stdout);
}

// /proc/thread-self gives a thread's own CPU time on Linux only.
describe.runIf(process.platform === 'linux')("V8's --single-threaded-gc, which the controller runs with", () => {
  it("leaves a worker's collections on the worker's thread (niced with a pass), not on helper threads", async () => {
    const { workerMs, otherMs } = await allocateInWorker([FLAG]);
    expect(workerMs).toBeGreaterThan(100);
    // What is left on other threads is start-up and compilation: tens of ms against hundreds.
    expect(otherMs).toBeLessThan(workerMs / 4);
  });

  it('without it, helper threads shared by the process do a large share of the collections', async () => {
    const { workerMs, otherMs } = await allocateInWorker([]);
    expect(otherMs).toBeGreaterThan(workerMs / 4);
  });
});

describe('the launchers of the controller', () => {
  it.each([
    ['the muster command (its shebang)', () => read('controller/cli/main.ts').split('\n')[0]],
    ['npm start', () => JSON.parse(read('package.json')).scripts.start],
    ['the container image', () => read('Dockerfile').split('\n').find((line) => line.startsWith('ENTRYPOINT')) ?? ''],
    ['the systemd unit', () => read('manifests/systemd/muster-controller.service').split('\n').find((line) => line.startsWith('ExecStart=')) ?? ''],
  ])('%s passes --single-threaded-gc to node', (_name, line) => {
    expect(line()).toMatch(/\bnode --single-threaded-gc\b|"node", "--single-threaded-gc"/);
  });

  it('run the built command as an executable, through its shebang', async () => {
    const { stdout } = await run(`${root}/dist/controller/cli/main.js`, ['--version']);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([
    [[FLAG], 'own-thread'],
    [['--max-old-space-size=512', FLAG], 'own-thread'],
    [[], 'helper-threads'],
    [['--single-threaded'], 'helper-threads'],
  ] as const)('with node options %j the controller reports gc %s', (execArgv, mode) => {
    expect(collectorMode(execArgv)).toBe(mode);
  });
});
