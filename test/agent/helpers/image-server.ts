import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ImageRequest {
  path: string;
  range: string | null;
  ifRange: string | null;
  status: number;
}

interface Fault {
  afterBytes: number;
  kind: 'cut' | 'stall';
  /** Resolves once the bytes before the fault are written. */
  reached: () => void;
}

/**
 * A real HTTP server on 127.0.0.1 serving byte buffers with Range/If-Range support, and faults on
 * demand: cut a response after N bytes, or send N bytes and then hang.
 */
export class ImageServer {
  readonly requests: ImageRequest[] = [];
  /** When false, Range is ignored and every answer is a full 200. */
  rangeSupport = true;
  private readonly files = new Map<string, { bytes: Buffer; etag: string }>();
  private readonly faults = new Map<string, Fault[]>();
  private readonly server = createServer((req, res) => this.handle(req, res));
  private port = 0;

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Serves `bytes` at `/name`; returns its URL and sha256. */
  put(name: string, bytes: Buffer): { url: string; sha256: string; sizeBytes: number } {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    this.files.set(`/${name}`, { bytes, etag: `"${sha256.slice(0, 16)}"` });
    return { url: `http://127.0.0.1:${this.port}/${name}`, sha256, sizeBytes: bytes.length };
  }

  /** The next response for `name` stops after `afterBytes`: the connection is cut, or left hanging. */
  fault(name: string, kind: 'cut' | 'stall', afterBytes: number): Promise<void> {
    return new Promise((reached) => {
      const list = this.faults.get(`/${name}`) ?? [];
      list.push({ afterBytes, kind, reached });
      this.faults.set(`/${name}`, list);
    });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '/';
    const file = this.files.get(path);
    const range = req.headers.range ?? null;
    const ifRange = (req.headers['if-range'] as string | undefined) ?? null;
    const record = (status: number) => this.requests.push({ path, range, ifRange, status });
    if (!file) {
      record(404);
      res.writeHead(404).end('not found');
      return;
    }
    let start = 0;
    const match = /^bytes=([0-9]+)-$/.exec(range ?? '');
    const rangeValid = this.rangeSupport && match && (ifRange === null || ifRange === file.etag);
    if (rangeValid) {
      start = Number(match[1]);
      if (start >= file.bytes.length) {
        record(416);
        res.writeHead(416, { 'content-range': `bytes */${file.bytes.length}` }).end();
        return;
      }
      record(206);
      res.writeHead(206, {
        'content-range': `bytes ${start}-${file.bytes.length - 1}/${file.bytes.length}`,
        'content-length': file.bytes.length - start,
        etag: file.etag,
        'accept-ranges': 'bytes',
      });
    } else {
      record(200);
      res.writeHead(200, { 'content-length': file.bytes.length, etag: file.etag, ...(this.rangeSupport ? { 'accept-ranges': 'bytes' } : {}) });
    }
    const body = file.bytes.subarray(start);
    const fault = this.faults.get(path)?.shift();
    if (!fault) {
      res.end(body);
      return;
    }
    res.write(body.subarray(0, fault.afterBytes), () => {
      fault.reached();
      // end(), not destroy(): the bytes written reach the client before the connection closes short.
      if (fault.kind === 'cut') res.socket?.end();
    });
  }
}
