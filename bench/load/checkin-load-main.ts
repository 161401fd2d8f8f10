import { startCheckinLoad, type LoadOptions } from './checkin-load.js';

// A load generator in its own process, so it does not share an event loop with the server it measures.
// The parent sends LoadOptions over IPC; the answer `{ok: true}` comes once the connections are warm;
// the load then runs until the parent sends 'stop', and the answer is every request's Sample, for the
// parent to cut into windows.
process.once('message', (options: LoadOptions) => {
  const fail = (err: unknown) => process.send?.({ ok: false, error: String(err) }, () => process.exit(1));
  startCheckinLoad(options).then((load) => {
    process.once('message', () => {
      load.stop().then((samples) => process.send?.({ ok: true, samples }, () => process.exit(0)), fail);
    });
    process.send?.({ ok: true });
  }, fail);
});
