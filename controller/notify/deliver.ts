import { request } from 'undici';

/** How one POST ended: the receiver's status, or why there was none (refused, timed out…). */
export type DeliveryResult = { ok: true; status: number } | { ok: false; error: string };

/** POSTs a body; anything but a 2xx answer within `timeoutMs` is a failure. Never throws. */
export type Post = (url: string, body: string, headers: Record<string, string>, timeoutMs: number) => Promise<DeliveryResult>;

/** The real HTTP client (undici): one POST, the whole exchange bounded by `timeoutMs`. */
export const undiciPost: Post = async (url, body, headers, timeoutMs) => {
  try {
    const res = await request(url, {
      method: 'POST',
      body,
      headers,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body.dump();
    return res.statusCode >= 200 && res.statusCode < 300 ? { ok: true, status: res.statusCode } : { ok: false, error: `HTTP ${res.statusCode}` };
  } catch (err) {
    const e = err as Error & { code?: string; cause?: { code?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return { ok: false, error: `no answer within ${timeoutMs} ms` };
    return { ok: false, error: e.code ?? e.cause?.code ?? e.message };
  }
};
