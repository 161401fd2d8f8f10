import { runCheckinLoad, type LoadOptions } from './checkin-load.js';

// A load generator in its own process, so it does not share an event loop with the server it measures.
// The parent sends LoadOptions over IPC and receives the LoadResult.
process.once('message', (options: LoadOptions) => {
  runCheckinLoad(options).then(
    (result) => process.send?.({ ok: true, result }, () => process.exit(0)),
    (err: unknown) => process.send?.({ ok: false, error: String(err) }, () => process.exit(1)),
  );
});
