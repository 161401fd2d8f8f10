import { parentPort, workerData } from 'node:worker_threads';
import { closeSharedCheckPool } from './check-pool.js';
import type { IsolatedLoadReply, IsolatedLoadRequest } from './isolated-load.js';
import { loadFleetFilesInParallel } from './parallel-load.js';

// A one-shot worker that loads one revision (checking its files on its own check pool) and answers
// with the result alone. Everything the load allocated on the way — parsed documents, positions,
// the checked files — stays in this thread's heap and goes back to the system when it ends.
const port = parentPort;
if (port) {
  const { files, revision } = workerData as IsolatedLoadRequest;
  void loadFleetFilesInParallel(files, revision, { startWorkers: true, releaseWorkers: true })
    .then(
      (result): IsolatedLoadReply => ({ result }),
      (err: unknown): IsolatedLoadReply => ({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
    )
    .then(async (reply) => {
      port.postMessage(reply);
      await closeSharedCheckPool();
      port.close();
    });
}
