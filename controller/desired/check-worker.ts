import { parentPort } from 'node:worker_threads';
import { checkFleetFile } from './check-file.js';
import type { CheckReply, CheckRequest } from './check-pool.js';
import { withPlainEnvironment } from './parse-documents.js';

// A worker of the check pool: checks each batch of files it is sent and answers with the results.
// `checkFleetFile` never throws on bad input; an exception here is a bug, reported to the pool,
// whose callers then load in their own thread.
const port = parentPort;
if (port) {
  port.on('message', (request: CheckRequest) => {
    let reply: CheckReply;
    try {
      reply = { batch: request.batch, results: withPlainEnvironment(() => request.files.map((file) => checkFleetFile(file))) };
    } catch (err) {
      reply = { batch: request.batch, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
    }
    port.postMessage(reply);
  });
}
