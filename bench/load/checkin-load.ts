import { Pool } from 'undici';
import { CHECKIN_REPORT } from '../support/checkin-report.js';

/**
 * The check-in load of the benchmarks: `connections` clients sending `POST /v1/checkin` back to
 * back with realistic agent bodies, each request recorded with its send time, so a benchmark can
 * take figures over windows of the run (`startCheckinLoad` and `summarize`, e.g. before and during a
 * proof expiry, or one slice of several taking turns).
 */
export interface LoadOptions {
  /** Base URL of the server, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Bearer tokens, used round robin: each request reports as the next appliance. */
  tokens: string[];
  /** Requests in flight at once. */
  connections: number;
  /** Requests sent before measuring, to open connections and warm caches. */
  warmupRequests?: number;
}

export interface LoadResult {
  requests: number;
  /** Non-200 answers and transport errors. */
  errors: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** One request: [send time in epoch ms (comparable across processes), latency in ms, HTTP status or 0 for a transport error]. */
export type Sample = [number, number, number];

/** A load running until stopped. */
export interface RunningLoad {
  /** Stops sending, waits for the requests in flight, and returns every measured request in send order per client. */
  stop(): Promise<Sample[]>;
}

const BODY = JSON.stringify(CHECKIN_REPORT);

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/**
 * Opens the connections with `warmupRequests` unmeasured requests, then resolves with the load
 * running: every request from then on is a sample.
 */
export async function startCheckinLoad(options: LoadOptions): Promise<RunningLoad> {
  const pool = new Pool(options.url, { connections: options.connections, pipelining: 1 });
  let next = 0;
  const send = async (): Promise<number> => {
    const token = options.tokens[next++ % options.tokens.length] as string;
    try {
      const { statusCode, body } = await pool.request({
        path: '/v1/checkin',
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: BODY,
      });
      await body.dump();
      return statusCode;
    } catch {
      return 0;
    }
  };
  const warm = options.warmupRequests ?? options.connections * 4;
  await Promise.all(
    Array.from({ length: options.connections }, async (_, i) => {
      for (let n = i; n < warm; n += options.connections) await send();
    }),
  );
  const samples: Sample[] = [];
  let running = true;
  const clients = Array.from({ length: options.connections }, async () => {
    while (running) {
      const sentAt = Date.now();
      const t0 = process.hrtime.bigint();
      const status = await send();
      samples.push([sentAt, Number(process.hrtime.bigint() - t0) / 1e6, status]);
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(clients);
      await pool.close();
      return samples;
    },
  };
}

/** Rate and latency percentiles of the answered requests among the samples sent within [from, to). */
export function summarize(samples: readonly Sample[], from = -Infinity, to = Infinity): LoadResult {
  const inside = samples.filter(([at]) => at >= from && at < to);
  const answered = Float64Array.from(inside.filter(([, , status]) => status === 200).map(([, ms]) => ms)).sort();
  const first = inside.reduce((min, [at]) => Math.min(min, at), Infinity);
  const last = inside.reduce((max, [at, ms]) => Math.max(max, at + ms), -Infinity);
  const spanS = Number.isFinite(from) && Number.isFinite(to) ? (to - from) / 1000 : (last - first) / 1000;
  return {
    requests: answered.length,
    errors: inside.length - answered.length,
    perSecond: spanS > 0 ? answered.length / spanS : 0,
    p50Ms: percentile(answered, 50),
    p99Ms: percentile(answered, 99),
    maxMs: answered.length ? (answered[answered.length - 1] as number) : 0,
  };
}
