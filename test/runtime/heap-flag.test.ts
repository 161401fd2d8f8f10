import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));

/** Starts a worker with an old generation limit of 760 MB (the reconcile worker's at 100,000 appliances) and prints the heap limit it got, MB. */
const WORKER_LIMIT = `
const { Worker } = require('node:worker_threads');
const source = "require('node:worker_threads').parentPort.postMessage(require('node:v8').getHeapStatistics().heap_size_limit / 1048576)";
new Worker(source, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 760, maxYoungGenerationSizeMb: 16 } })
  .on('message', (mb) => { console.log(Math.round(mb)); process.exit(0); });
`;

async function workerLimitMb(nodeArgs: string[]): Promise<number> {
  const { stdout } = await run(process.execPath, [...nodeArgs, '-e', WORKER_LIMIT], { env: { ...process.env, NODE_OPTIONS: '' } });
  return Number(stdout.trim());
}

describe("a heap limit on node's command line (--max-old-space-size, often set through NODE_OPTIONS)", () => {
  it("overrides the limits the controller gives its reconcile worker, so the worker gets the process's cap", async () => {
    expect(await workerLimitMb([])).toBeGreaterThanOrEqual(760);
    expect(await workerLimitMb(['--max-old-space-size=256'])).toBeLessThan(400);
  });

  it.each([
    ['the Kubernetes Deployment', 'manifests/kubernetes/deployment.yaml'],
    ['the compose file', 'manifests/compose/compose.yaml'],
    ['the systemd unit', 'manifests/systemd/muster-controller.service'],
    ['the container image', 'Dockerfile'],
  ])('so %s sets none', (_name, path) => {
    expect(readFileSync(`${root}/${path}`, 'utf8')).not.toMatch(/max-old-space-size/);
  });
});
