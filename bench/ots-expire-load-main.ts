import { Pool } from 'undici';

/**
 * The check-in load of the `ots-expire` benchmark, in its own process so it does not share an event
 * loop with the controller it measures. Unlike a fixed-duration load it runs until told to stop and
 * returns every request's start time (epoch ms, comparable with the parent's clock) and latency, so
 * the parent can take the p99 of exactly the requests sent while the expiry ran.
 *
 * Protocol: the parent sends `LoadStart`; the child answers `{ok: true}` once warm, then
 * `{ok: true, samples}` after the parent sends `'stop'`.
 */
export interface LoadStart {
  url: string;
  tokens: string[];
  connections: number;
}

/** [start epoch ms, latency ms, HTTP status or 0 for a transport error] per request. */
export type Sample = [number, number, number];

const BODY = JSON.stringify({
  agentVersion: '1.0.49',
  imageVersion: '49',
  update: null,
  retention: {
    policyHash: 'd94818104dd0a971a3c3020b03496336f2659c5fd656ce975f369b64cbf5bb65',
    lastPrunedAt: '2026-01-31T03:00:00Z',
    databaseBytes: 52428800,
    incidents: 1200,
    oldestIncidentAt: '2026-01-01T09:12:00Z',
  },
});

async function drive(start: LoadStart, stopped: Promise<void>): Promise<Sample[]> {
  const pool = new Pool(start.url, { connections: start.connections, pipelining: 1 });
  let running = true;
  void stopped.then(() => (running = false));
  let next = 0;
  const samples: Sample[] = [];
  const send = async (record: boolean) => {
    const token = start.tokens[next++ % start.tokens.length] as string;
    const startedAt = Date.now();
    const t0 = process.hrtime.bigint();
    let status = 0;
    try {
      const res = await pool.request({
        path: '/v1/checkin',
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: BODY,
      });
      await res.body.dump();
      status = res.statusCode;
    } catch {
      status = 0;
    }
    if (record) samples.push([startedAt, Number(process.hrtime.bigint() - t0) / 1e6, status]);
  };
  // Warm: open every connection before the parent starts measuring.
  await Promise.all(Array.from({ length: start.connections * 4 }, () => send(false)));
  process.send?.({ ok: true });
  await Promise.all(
    Array.from({ length: start.connections }, async () => {
      while (running) await send(true);
    }),
  );
  await pool.close();
  return samples;
}

process.once('message', (start: LoadStart) => {
  const stopped = new Promise<void>((resolve) => process.once('message', () => resolve()));
  drive(start, stopped).then(
    (samples) => process.send?.({ ok: true, samples }, () => process.exit(0)),
    (err: unknown) => process.send?.({ ok: false, error: String(err) }, () => process.exit(1)),
  );
});
