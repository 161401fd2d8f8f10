import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server answered, updated while its body is being sent. */
export interface ServedRequest {
  path: string;
  range: string | null;
  ifRange: string | null;
  status: number;
  /** Where in the file the body started. */
  from: number;
  /** Body bytes the socket has taken so far. */
  sent: number;
  /** True once the whole body was handed over; false while sending or when the client went away. */
  complete: boolean;
  /** True once the client closed the connection before the body was complete. */
  dropped: boolean;
}

/** The send loop's step: a rate is spread over ticks this long. */
const TICK_MS = 20;

/**
 * A real HTTP image server on 127.0.0.1 that sends bodies at `rate` bytes per second (null: as fast as
 * the socket takes them; 0: holds every body until the rate changes), honours `Range: bytes=N-` guarded
 * by `If-Range`, and records each request with the Range it asked for and the bytes it was sent.
 */
export class ThrottledImageServer {
  readonly requests: ServedRequest[] = [];
  rate: number | null = null;
  private readonly files = new Map<string, { bytes: Buffer; etag: string }>();
  private readonly server = createServer((req, res) => void this.handle(req, res));
  private port = 0;

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Serves `bytes` at `/name`; returns its URL, sha256 and size. */
  put(name: string, bytes: Buffer): { url: string; sha256: string; sizeBytes: number } {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    this.files.set(`/${name}`, { bytes, etag: `"${sha256.slice(0, 16)}"` });
    return { url: `http://127.0.0.1:${this.port}/${name}`, sha256, sizeBytes: bytes.length };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '/';
    const file = this.files.get(path);
    const range = req.headers.range ?? null;
    const ifRange = (req.headers['if-range'] as string | undefined) ?? null;
    const record: ServedRequest = { path, range, ifRange, status: 200, from: 0, sent: 0, complete: false, dropped: false };
    this.requests.push(record);
    if (!file) {
      record.status = 404;
      res.writeHead(404).end('not found');
      return;
    }
    const match = /^bytes=([0-9]+)-$/.exec(range ?? '');
    if (match && (ifRange === null || ifRange === file.etag)) {
      record.from = Number(match[1]);
      if (record.from >= file.bytes.length) {
        record.status = 416;
        res.writeHead(416, { 'content-range': `bytes */${file.bytes.length}` }).end();
        return;
      }
      record.status = 206;
      res.writeHead(206, {
        'content-range': `bytes ${record.from}-${file.bytes.length - 1}/${file.bytes.length}`,
        'content-length': file.bytes.length - record.from,
        etag: file.etag,
        'accept-ranges': 'bytes',
      });
    } else {
      res.writeHead(200, { 'content-length': file.bytes.length, etag: file.etag, 'accept-ranges': 'bytes' });
    }
    await this.send(res, file.bytes.subarray(record.from), record);
  }

  /** Writes `body` at the current rate, re-read every tick, until it is sent or the client goes away. */
  private async send(res: ServerResponse, body: Buffer, record: ServedRequest): Promise<void> {
    let gone = false;
    const closed = new Promise<void>((resolve) =>
      res.on('close', () => {
        gone = true;
        record.dropped = !record.complete;
        resolve();
      }),
    );
    while (!gone && record.sent < body.length) {
      const n = this.rate === null ? body.length - record.sent : Math.floor((this.rate * TICK_MS) / 1000);
      if (n > 0) {
        const chunk = body.subarray(record.sent, record.sent + n);
        const written = new Promise<boolean>((resolve) => res.write(chunk, (err) => resolve(!err)));
        if (!(await Promise.race([written, closed.then(() => false)]))) break;
        record.sent += chunk.length;
      }
      if (record.sent < body.length) await Promise.race([new Promise((resolve) => setTimeout(resolve, TICK_MS)), closed]);
    }
    if (gone || record.sent < body.length) return;
    record.complete = true;
    res.end();
  }
}
