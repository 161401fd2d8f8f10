import { CheckinResponse, ErrorResponse } from '../../protocol/checkin-response.js';
import type { CheckinRequest } from '../../protocol/checkin-request.js';
import { createAjv } from '../../protocol/ajv.js';
import { parseRetryAfter } from './checkin-retry.js';
import type { FetchLike } from './http-fetch.js';

/**
 * What one check-in came to. Every kind but `ok` is retried later; `retry-after` carries the wait the
 * server asked for (null when it named none), the others carry a message for the log.
 */
export type CheckinOutcome =
  | { kind: 'ok'; response: CheckinResponse }
  | { kind: 'retry-after'; status: number; retryAfterMs: number | null; message: string }
  | { kind: 'unauthorized'; status: number; message: string }
  | { kind: 'rejected'; status: number; message: string }
  | { kind: 'unreachable'; message: string };

export interface CheckinCall {
  /** The controller's base URL, e.g. `https://muster.example.org` (a path prefix is kept). */
  server: string;
  token: string;
  report: CheckinRequest;
  fetch: FetchLike;
  /** For an HTTP-date Retry-After. */
  now: number;
  signal?: AbortSignal;
}

const ajv = createAjv({ useDefaults: false });
const validResponse = ajv.compile<CheckinResponse>(CheckinResponse);
const validError = ajv.compile<ErrorResponse>(ErrorResponse);

/** The check-in endpoint under a base URL, keeping any path prefix the base has. */
export function checkinUrl(server: string): string {
  return new URL('v1/checkin', server.endsWith('/') ? server : `${server}/`).toString();
}

/**
 * Sends one check-in (`POST /v1/checkin` with the bearer token and the report as JSON) and returns
 * its typed outcome. Never throws: network failures, timeouts and malformed answers are outcomes.
 */
export async function checkIn(call: CheckinCall): Promise<CheckinOutcome> {
  let status: number;
  let text: string;
  let retryAfter: string | null;
  try {
    const response = await call.fetch(checkinUrl(call.server), {
      method: 'POST',
      headers: { authorization: `Bearer ${call.token}`, 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(call.report),
      ...(call.signal ? { signal: call.signal } : {}),
    });
    status = response.status;
    retryAfter = response.headers.get('retry-after');
    text = await response.text();
  } catch (err) {
    return { kind: 'unreachable', message: describeNetworkError(err) };
  }
  return classify(status, text, retryAfter, call.now);
}

function classify(status: number, text: string, retryAfter: string | null, now: number): CheckinOutcome {
  if (status === 200) {
    const body = parseJson(text);
    if (validResponse(body)) return { kind: 'ok', response: body };
    const problem = ajv.errorsText(validResponse.errors);
    return { kind: 'unreachable', message: `invalid check-in response: ${problem}` };
  }
  const message = errorMessage(status, text);
  if (status === 429 || status === 502 || status === 503 || status === 504) {
    return { kind: 'retry-after', status, retryAfterMs: parseRetryAfter(retryAfter, now), message };
  }
  if (status === 401 || status === 403) return { kind: 'unauthorized', status, message };
  if (status >= 400 && status < 500) return { kind: 'rejected', status, message };
  return { kind: 'unreachable', message };
}

/** The server's `{error, message}` as one line, or the start of whatever else it sent. */
function errorMessage(status: number, text: string): string {
  const body = parseJson(text);
  if (validError(body)) return `HTTP ${status} ${body.error}: ${body.message}`;
  const snippet = text.trim().slice(0, 200);
  return snippet ? `HTTP ${status}: ${snippet}` : `HTTP ${status}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Node's fetch hides the socket error in `cause`; the cause is what a person needs (ECONNREFUSED…). */
export function describeNetworkError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? err.cause : null;
  const code = cause && 'code' in cause ? ` (${String(cause.code)})` : '';
  return cause ? `${err.message}: ${cause.message}${code}` : err.message;
}
