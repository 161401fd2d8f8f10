import { createReadStream, createWriteStream } from 'node:fs';
import { stat, truncate } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { describeNetworkError } from '../protocol/checkin-client.js';
import type { FetchLike } from '../protocol/http-fetch.js';

export interface DownloadProgress {
  bytes: number;
  total: number | null;
  /** ETag or Last-Modified of what is being downloaded, for If-Range on a later resume. */
  validator: string | null;
}

export interface DownloadRequest {
  url: string;
  /** The file written; bytes already in it are kept and the rest requested with Range. */
  path: string;
  fetch: FetchLike;
  signal: AbortSignal;
  /** The image's declared size: a body longer than this is cut off as an error. */
  expectedBytes?: number;
  /** The validator saved with the partial file, so a changed file on the server restarts from 0. */
  validator: string | null;
  onProgress?: (progress: DownloadProgress) => void;
}

export type DownloadResult =
  | { kind: 'done'; bytes: number; resumedFrom: number; validator: string | null }
  | { kind: 'failed'; bytes: number; error: string }
  | { kind: 'aborted'; bytes: number };

/**
 * Streams `url` into `path`. When the file already holds part of it, asks only for the rest
 * (`Range`, with `If-Range`) and appends on 206; starts over on 200. `file://` URLs are read from disk
 * the same way. The partial file is kept on failure and on abort, so the next try resumes.
 */
export async function downloadImage(request: DownloadRequest): Promise<DownloadResult> {
  const have = await sizeOf(request.path);
  if (request.expectedBytes !== undefined && have === request.expectedBytes) {
    return { kind: 'done', bytes: have, resumedFrom: have, validator: request.validator };
  }
  const opened = request.url.startsWith('file:') ? await openFile(request, have) : await openHttp(request, have);
  if ('error' in opened) return { kind: 'failed', bytes: have, error: opened.error };
  if ('aborted' in opened) return { kind: 'aborted', bytes: have };
  const from = opened.offset;
  let bytes = from;
  let oversize = false;
  const progress = { total: opened.total, validator: opened.validator };
  const counter = new Transform({
    transform(chunk: Buffer, _enc, callback) {
      bytes += chunk.length;
      if (request.expectedBytes !== undefined && bytes > request.expectedBytes) {
        oversize = true;
        callback(new Error('oversize'));
        return;
      }
      request.onProgress?.({ bytes, ...progress });
      callback(null, chunk);
    },
  });
  try {
    if (from === 0 && have > 0) await truncate(request.path, 0);
    await pipeline(opened.body, counter, createWriteStream(request.path, { flags: from > 0 ? 'a' : 'w' }), {
      signal: request.signal,
    });
  } catch (err) {
    // What reached the disk, not what passed by: a stream that errors drops what it still buffered.
    if (oversize) {
      // Not the declared image: nothing of it is worth resuming from.
      await truncate(request.path, 0).catch(() => undefined);
      return { kind: 'failed', bytes: 0, error: `size mismatch: expected ${request.expectedBytes} bytes, the server sent more` };
    }
    const kept = await sizeOf(request.path);
    if (request.signal.aborted) return { kind: 'aborted', bytes: kept };
    return { kind: 'failed', bytes: kept, error: `download interrupted after ${kept} bytes: ${describeNetworkError(err)}` };
  }
  return { kind: 'done', bytes, resumedFrom: from, validator: opened.validator };
}

interface Opened {
  body: Readable;
  /** Where the body starts in the file: `have` when resuming, 0 when starting over. */
  offset: number;
  total: number | null;
  validator: string | null;
}

async function openHttp(request: DownloadRequest, have: number): Promise<Opened | { error: string } | { aborted: true }> {
  const headers: Record<string, string> = {};
  if (have > 0) {
    headers.range = `bytes=${have}-`;
    if (request.validator) headers['if-range'] = request.validator;
  }
  let response;
  try {
    response = await request.fetch(request.url, { headers, signal: request.signal });
  } catch (err) {
    if (request.signal.aborted) return { aborted: true };
    return { error: `download failed: ${describeNetworkError(err)}` };
  }
  const validator = strongValidator(response.headers.get('etag'), response.headers.get('last-modified'));
  if (response.status === 416 && have > 0) {
    await response.text().catch(() => '');
    // Already whole: the server says the file is exactly as long as what we hold.
    if (response.headers.get('content-range') === `bytes */${have}`) return { body: Readable.from([]), offset: have, total: have, validator };
    // The partial file is not a prefix the server can extend: start over.
    await truncate(request.path, 0);
    return openHttp(request, 0);
  }
  if (!response.body || (response.status !== 200 && response.status !== 206)) {
    await response.text().catch(() => '');
    return { error: `download failed: HTTP ${response.status} ${response.statusText} from ${request.url}` };
  }
  const body = Readable.fromWeb(response.body);
  if (response.status === 206) {
    const range = /^bytes ([0-9]+)-[0-9]+\/([0-9]+|\*)$/.exec(response.headers.get('content-range') ?? '');
    if (!range || Number(range[1]) !== have) {
      body.destroy();
      await truncate(request.path, 0);
      return { error: `download failed: the server answered a different range (${response.headers.get('content-range')})` };
    }
    return { body, offset: have, total: range[2] === '*' ? null : Number(range[2]), validator };
  }
  const length = response.headers.get('content-length');
  return { body, offset: 0, total: length === null ? null : Number(length), validator };
}

async function openFile(request: DownloadRequest, have: number): Promise<Opened | { error: string }> {
  const source = fileURLToPath(request.url);
  const total = await sizeOf(source, -1);
  if (total < 0) return { error: `download failed: ${source} does not exist` };
  const offset = have <= total ? have : 0;
  return { body: createReadStream(source, { start: offset }), offset, total, validator: null };
}

/** If-Range needs a strong validator: a weak ETag never matches, so fall back to Last-Modified. */
function strongValidator(etag: string | null, lastModified: string | null): string | null {
  if (etag && !etag.startsWith('W/')) return etag;
  return lastModified;
}

async function sizeOf(path: string, missing = 0): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return missing;
  }
}
