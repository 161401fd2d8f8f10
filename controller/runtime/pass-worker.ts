import v8 from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { planCounts } from '../api/metrics.js';
import { compactAnswers } from '../api/response-index.js';
import { shareRepeatedStrings } from '../desired/shared-strings.js';
import type { DesiredState } from '../desired/types.js';
import { ReconcileCache } from '../reconcile/reconcile.js';
import { openStore } from '../store/open-store.js';
import type { CollectedHeap, PassLogRecord, PassReply, PassRequest, PassWorkerData, WorkerHeap, WorkerOutcome } from './pass-messages.js';
import { fullCollection } from './full-collection.js';
import { packPlan } from './packed-plan.js';
import { runPass, type PassOutcome } from './reconcile-pass.js';
import { lowerThisThreadsPriority } from './thread-priority.js';

// The reconcile worker: runs whole passes (read the observed state, plan, apply, expire proofs) on its
// own connections to the controller's database, so the API's thread only serves check-ins meanwhile.
// It keeps the desired state it was last sent, so the pure core's caches live here from pass to pass.
const port = parentPort;
if (port) {
  lowerThisThreadsPriority();
  const { db } = workerData as PassWorkerData;
  // Few connections: one pass at a time reads and writes; the API keeps its own pool. On PostgreSQL
  // each of the pass's queries runs on one server process (see PostgresPoolOptions.parallelQueries).
  const store = openStore(db, { poolSize: 2, parallelQueries: false });
  const logs: PassLogRecord[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void logs.push(toRecord(line)) });
  let desired: DesiredState | null = null;
  const cache = new ReconcileCache();
  const collect = fullCollection();

  port.on('message', (request: PassRequest | 'close') => {
    if (request === 'close') {
      // Connections closed (and a proof rewrite stopped) before the thread ends.
      void store.close().finally(() => port.close());
      return;
    }
    // This thread's own copy, just received: its repeated strings can be shared before the first pass reads it.
    if (request.desired) desired = shareRepeatedStrings(request.desired);
    const current = desired;
    const given = request.notify;
    const notify = given ? { findings: () => Promise.resolve(given.findings), context: () => given.context } : undefined;
    void runPass(
      { store, desired: () => current, sourceStatus: () => request.sourceStatus, isLeader: () => request.isLeader, log, expireBatch: request.expireBatch, notify, cache, forecast: request.forecast },
      new Date(request.now),
    ).then((outcome) => {
      const reply: PassReply = { id: request.id, outcome: crossing(outcome, current), logs: logs.splice(0), heap: heapNow() };
      port.postMessage(reply, reply.outcome.kind === 'planned' ? [reply.outcome.packedPlan.buffer as ArrayBuffer, reply.outcome.answers.bodyOf.buffer as ArrayBuffer] : []);
      // The pass's garbage goes now, while the thread has nothing else to do (see full-collection.ts).
      if (collect && reply.outcome.kind === 'planned') {
        setImmediate(() => {
          collect();
          port.postMessage({ collected: heapNow() } satisfies CollectedHeap);
        });
      }
    });
  });
}

function heapNow(): WorkerHeap {
  const { used_heap_size: usedBytes, total_heap_size: committedBytes } = v8.getHeapStatistics();
  return { usedBytes, committedBytes };
}

/** The outcome in the form that crosses threads (see WorkerOutcome). */
function crossing(outcome: PassOutcome, desired: DesiredState | null): WorkerOutcome {
  switch (outcome.kind) {
    case 'idle':
    case 'conflict':
      return outcome;
    case 'unavailable':
    case 'failed':
      return { kind: outcome.kind, message: outcome.error.message, stack: outcome.error.stack };
    case 'planned': {
      const { plan } = outcome;
      return {
        kind: 'planned',
        applied: outcome.applied,
        expired: outcome.expired,
        proofs: outcome.proofs,
        actions: plan.actions,
        counts: planCounts(plan),
        answers: compactAnswers(desired as DesiredState, plan),
        packedPlan: packPlan(plan),
      };
    }
  }
}

function toRecord(line: string): PassLogRecord {
  const { level, msg, time: _time, pid: _pid, hostname: _host, ...fields } = JSON.parse(line) as Record<string, unknown>;
  return { level: Number(level), msg: String(msg ?? ''), fields };
}
