import type { ReadableStream } from 'node:stream/web';
import { Agent, fetch as undiciFetch } from 'undici';

/** The part of a fetch Response the agent reads. */
export interface FetchResponse {
  status: number;
  statusText: string;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  body: ReadableStream<Uint8Array> | null;
}

export interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** A fetch-shaped function: the check-in client and the downloader take one, so tests and the simulator choose it. */
export type FetchLike = (url: string, init?: FetchInit) => Promise<FetchResponse>;

export interface HttpFetch {
  fetch: FetchLike;
  /** Closes the pooled connections; pending requests fail. */
  close(): Promise<void>;
}

export interface HttpFetchOptions {
  /** PEM certificate(s) trusted in place of the system CAs (`--ca FILE`). */
  ca?: string | Buffer;
  /** Waiting for response headers longer than this fails the request. */
  headersTimeoutMs?: number;
  /** A response body silent for longer than this fails the request (a stalled download). */
  bodyTimeoutMs?: number;
}

/**
 * A fetch over one connection pool that verifies servers against `ca` when given, the system CAs
 * otherwise. Timeouts here are the transport's own (a dead socket), in real time; everything the
 * agent schedules runs on its injected clock.
 */
export function createHttpFetch(options: HttpFetchOptions = {}): HttpFetch {
  const dispatcher = new Agent({
    headersTimeout: options.headersTimeoutMs ?? 60_000,
    bodyTimeout: options.bodyTimeoutMs ?? 120_000,
    ...(options.ca !== undefined ? { connect: { ca: options.ca } } : {}),
  });
  const fetch: FetchLike = (url, init = {}) => undiciFetch(url, { ...init, dispatcher });
  return { fetch, close: () => dispatcher.close() };
}
