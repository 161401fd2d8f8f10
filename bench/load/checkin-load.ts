import { Pool } from 'undici';
import { CHECKIN_REPORT } from '../support/checkin-report.js';

export interface LoadOptions {
  /** Base URL of the server, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Bearer tokens, used round robin: each request reports as the next appliance. */
  tokens: string[];
  /** Requests in flight at once. */
  connections: number;
  durationMs: number;
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

const BODY = JSON.stringify(CHECKIN_REPORT);

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/**
 * Drives `POST /v1/checkin` with realistic agent bodies from `connections` concurrent clients for
 * `durationMs`, and reports the rate and latency percentiles of the answered requests.
 */
export async function runCheckinLoad(options: LoadOptions): Promise<LoadResult> {
  const pool = new Pool(options.url, { connections: options.connections, pipelining: 1 });
  let next = 0;
  const send = async (): Promise<number> => {
    const token = options.tokens[next++ % options.tokens.length] as string;
    const { statusCode, body } = await pool.request({
      path: '/v1/checkin',
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: BODY,
    });
    await body.dump();
    return statusCode;
  };
  const warm = options.warmupRequests ?? options.connections * 4;
  await Promise.all(Array.from({ length: options.connections }, async (_, i) => {
    for (let n = i; n < warm; n += options.connections) await send().catch(() => 0);
  }));

  const latencies: number[] = [];
  let errors = 0;
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(options.durationMs) * 1_000_000n;
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (process.hrtime.bigint() < deadline) {
        const t0 = process.hrtime.bigint();
        const status = await send().catch(() => 0);
        if (status === 200) latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        else errors += 1;
      }
    }),
  );
  const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
  await pool.close();
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: latencies.length,
    errors,
    perSecond: latencies.length / elapsedS,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length ? (sorted[sorted.length - 1] as number) : 0,
  };
}
