/**
 * One HTTP exchange with a calendar: a timeout, no redirects (a redirect could lead to a host that
 * is not in the allow-list), and a bounded body.
 */

/** The HTTP layer the calendar client uses: `fetch` itself, or a stand-in that routes elsewhere in tests. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export type HttpExchange = { ok: true; status: number; body: Uint8Array } | { ok: false; reason: string };

export interface HttpOptions {
  fetch: FetchLike;
  timeoutMs: number;
  maxBodyBytes: number;
  signal?: AbortSignal;
}

/** The content type calendars serve timestamps with; the reference client asks for it. */
export const OTS_MEDIA_TYPE = 'application/vnd.opentimestamps.v1';

/**
 * Sends one request and reads the whole answer, at most `maxBodyBytes` of it. Never throws:
 * network errors, timeouts, redirects and oversized bodies come back as `{ok: false, reason}`.
 */
export async function exchange(url: string, init: RequestInit, opts: HttpOptions): Promise<HttpExchange> {
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const signal = opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout;
  try {
    const res = await opts.fetch(url, { ...init, redirect: 'manual', signal });
    if (res.status >= 300 && res.status < 400) {
      await res.body?.cancel();
      return { ok: false, reason: `HTTP ${res.status}: redirects are not followed` };
    }
    const body = await readBounded(res, opts.maxBodyBytes);
    return typeof body === 'string' ? { ok: false, reason: body } : { ok: true, status: res.status, body };
  } catch (err) {
    if (timeout.aborted) return { ok: false, reason: `no answer within ${opts.timeoutMs} ms` };
    if (opts.signal?.aborted) return { ok: false, reason: 'cancelled' };
    return { ok: false, reason: errorText(err) };
  }
}

/** The body, or a reason when it is larger than `max` (stops reading as soon as it is). */
async function readBounded(res: Response, max: number): Promise<Uint8Array | string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > max) {
    await res.body?.cancel();
    return `answer of ${declared} bytes is larger than the ${max} accepted`;
  }
  if (!res.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > max) {
      await res.body.cancel().catch(() => undefined);
      return `answer larger than the ${max} bytes accepted`;
    }
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks, total));
}

function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // undici wraps the socket error ("fetch failed"); the cause says what happened.
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
}
