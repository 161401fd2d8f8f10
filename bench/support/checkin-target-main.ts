import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import pino from 'pino';
import { defaultGroupCommit } from '../../controller/api/checkin-route.js';
import type { GroupCommitOptions } from '../../controller/api/group-commit.js';
import { isPostgresUrl } from '../../controller/store/open-store.js';
import { startController, type RunningController } from '../../controller/runtime/controller.js';
import { writeBenchFleet } from './bench-fleet.js';
import { CHECKIN_REPORT } from './checkin-report.js';
import { WindowProfiler } from './profiler.js';

/** What the benchmark asks this process to serve. */
export interface TargetRequest {
  /** bare: a plain Node HTTP server; muster: the controller with group commit; naive: one transaction per check-in. */
  mode: 'bare' | 'muster' | 'naive';
  /** SQLite path or PostgreSQL URL (muster and naive). */
  db?: string;
  /** A directory to write the generated fleet repository into. */
  fleetDir?: string;
  appliances?: number;
  /** Group commit settings over the API's defaults for the store (for the muster mode). */
  groupCommit?: Partial<GroupCommitOptions>;
  /** Where reconcile passes run (the controller's option; its default when absent). */
  reconcileWorker?: 'auto' | 'always' | 'never';
  /** No passes but those the `passes` command asks for (the check-in gap and the interval set to an hour). */
  passesOnRequest?: boolean;
  /**
   * The database and fleet directory were prepared by an earlier target (its tokens given here): serve
   * them as a controller started afresh, with nothing of the set-up in its memory.
   */
  prepared?: { tokens: string[] };
}

export interface TargetReady {
  url: string;
  tokens: string[];
  /** How long one reconcile pass over the seeded fleet took, before the load (muster and naive). */
  steadyPassMs?: number;
}

const BARE_ANSWER = JSON.stringify({ target: null, retention: null, checkinIntervalSeconds: 60 });

/** The ceiling: what Node's HTTP server does with a check-in-sized JSON body and no work at all. */
async function startBare(): Promise<TargetReady> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString());
      res.writeHead(200, { 'content-type': 'application/json' }).end(BARE_ANSWER);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tokens: ['bare-token-0000'] };
}

async function startMuster(request: TargetRequest): Promise<TargetReady> {
  const ids = request.prepared ? [] : writeBenchFleet(request.fleetDir as string, request.appliances ?? 10_000);
  const controller = await startController({
    repo: request.fleetDir as string,
    db: request.db as string,
    host: '127.0.0.1',
    port: 0,
    logger: pino({ level: 'warn' }, pino.destination(2)),
    intervalMs: request.passesOnRequest ? HOUR_MS : 10_000,
    ...(request.passesOnRequest ? { checkinMinGapMs: HOUR_MS } : {}),
    ...(request.reconcileWorker ? { reconcileWorker: request.reconcileWorker } : {}),
    // Naive: every check-in its own transaction, as many at once as the PostgreSQL pool has connections.
    groupCommit: request.mode === 'naive' ? { maxBatch: 1, maxDelayMs: 0, maxConcurrent: 10 } : { ...defaultGroupCommit(isPostgresUrl(request.db as string) ? 'postgres' : 'sqlite'), ...request.groupCommit },
  });
  // The steady state of a fleet: every appliance has checked in before, so the load updates rows
  // and the passes see the findings of a whole fleet (each reports a retention policy it should not).
  const at = new Date();
  for (let i = 0; i < ids.length; i += SEED_BATCH) {
    await controller.store.recordCheckins(ids.slice(i, i + SEED_BATCH).map((appliance) => ({ appliance, report: CHECKIN_REPORT, at })));
  }
  if (request.prepared) {
    running = controller;
    const started = process.hrtime.bigint();
    await controller.reconcileNow();
    return { url: controller.url, tokens: request.prepared.tokens, steadyPassMs: Number(process.hrtime.bigint() - started) / 1e6 };
  }
  await controller.reconcileNow();
  const started = process.hrtime.bigint();
  await controller.reconcileNow();
  const steadyPassMs = Number(process.hrtime.bigint() - started) / 1e6;
  running = controller;
  const issued = await controller.store.issueTokens(ids, { rotate: true });
  return { url: controller.url, tokens: issued.map((t) => t.token), steadyPassMs };
}

const SEED_BATCH = 5_000;
const HOUR_MS = 3_600_000;
let running: RunningController | null = null;

/**
 * Later requests: profile the load only, not the set-up; run `passes` passes back to back, `gapMs` apart;
 * or write a heap snapshot of this process's main thread to `snapshot`.
 */
export type TargetCommand = { profile: 'start' } | { profile: 'stop'; file: string } | { passes: number; gapMs: number } | { snapshot: string };

/** The answer to `passes`: each pass's start and end, epoch ms (comparable with the load's send times). */
export interface PassWindows {
  windows: [number, number][];
  /** The process's resident memory (every thread, the worker's heap included) `gapMs` after the last pass, MB. */
  rssMb: number;
  /** Where it is, MB: the API thread's and the worker's V8 heaps (used, committed), and what V8 counts outside them. */
  memory: { apiHeap: [number, number]; workerHeap: [number, number]; external: number };
}

const profiler = new WindowProfiler();

async function command(message: TargetCommand): Promise<object> {
  if ('passes' in message) return runPasses(message.passes, message.gapMs);
  if ('snapshot' in message) return { file: v8.writeHeapSnapshot(message.snapshot) };
  await (message.profile === 'start' ? profiler.start() : profiler.stop(message.file));
  return {};
}

async function runPasses(count: number, gapMs: number): Promise<PassWindows> {
  const windows: [number, number][] = [];
  for (let i = 0; i < count; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
    const from = Date.now();
    const outcome = await (running as RunningController).reconcileNow();
    if (outcome.kind !== 'planned') throw new Error(`pass ${i + 1}: ${outcome.kind}`);
    windows.push([from, Date.now()]);
  }
  // Memory as it stands between passes: after the worker's collection that follows the last one.
  await new Promise((resolve) => setTimeout(resolve, gapMs));
  const usage = process.memoryUsage();
  const worker = await (running as RunningController).metrics.workerHeap.get();
  const workerMb = (state: string) => (worker.values.find((v) => v.labels.state === state)?.value ?? 0) / 1e6;
  return {
    windows,
    rssMb: usage.rss / 1e6,
    memory: { apiHeap: [usage.heapUsed / 1e6, usage.heapTotal / 1e6], workerHeap: [workerMb('used'), workerMb('committed')], external: usage.external / 1e6 },
  };
}

function answer(work: Promise<object>, exitOnError: boolean): void {
  work.then(
    (result) => process.send?.({ ok: true, ...result }),
    (err: unknown) =>
      process.send?.({ ok: false, error: err instanceof Error ? err.stack : String(err) }, () => {
        if (exitOnError) process.exit(1);
      }),
  );
}

// The first message says what to serve; later ones are commands. Serves until the parent disconnects or kills it.
let serving = false;
process.on('message', (message: TargetRequest | TargetCommand) => {
  if (serving) return answer(command(message as TargetCommand), false);
  serving = true;
  const request = message as TargetRequest;
  answer((request.mode === 'bare' ? startBare() : startMuster(request)).then((ready) => ({ ready })), true);
});
process.once('disconnect', () => process.exit(0));
process.once('SIGINT', () => process.exit(0));
process.once('SIGTERM', () => process.exit(0));
