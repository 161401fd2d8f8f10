import { connect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** One HTTP/1.1 request as bytes on the wire, so it can be as malformed as an attacker likes. */
export interface RawRequest {
  method: string;
  path: string;
  headers: [string, string][];
  body: Buffer;
  /** Send the body in this many pieces with `gapMs` between them (a slow client). */
  pieces?: number;
  gapMs?: number;
}

/** What came back: the status, or `closed` when the server hung up without answering. */
export type RawOutcome = { status: number; retryAfter: string | null } | { status: 'closed' } | { status: 'timeout' };

function wire(request: RawRequest): { head: Buffer; body: Buffer } {
  const lines = [`${request.method} ${request.path} HTTP/1.1`, 'host: 127.0.0.1', 'connection: close'];
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  if (!request.headers.some(([name]) => name.toLowerCase() === 'content-length' || name.toLowerCase() === 'transfer-encoding')) {
    lines.push(`content-length: ${request.body.length}`);
  }
  return { head: Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), body: request.body };
}

/**
 * Sends `request` to the server at `base` (http or https URL) on a fresh connection and reads the
 * status line of the answer. A server silent for `timeoutMs` is a `timeout` (a hang).
 */
export function sendRaw(base: string, request: RawRequest, timeoutMs = 10_000): Promise<RawOutcome> {
  const url = new URL(base);
  const port = Number(url.port);
  return new Promise((resolve) => {
    const socket = url.protocol === 'https:' ? tlsConnect({ host: url.hostname, port, rejectUnauthorized: false }) : connect({ host: url.hostname, port });
    let received = '';
    let done = false;
    const finish = (outcome: RawOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ status: 'timeout' }), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(received);
      const retryAfter = /\r\nretry-after: *([^\r]*)/i.exec(received.slice(0, end));
      finish(status ? { status: Number(status[1]), retryAfter: retryAfter?.[1] ?? null } : { status: 'closed' });
    });
    socket.on('error', () => finish({ status: 'closed' }));
    socket.on('close', () => finish({ status: 'closed' }));
    const { head, body } = wire(request);
    socket.write(head);
    const pieces = Math.max(1, request.pieces ?? 1);
    const size = Math.ceil(body.length / pieces);
    const sendPiece = (i: number) => {
      if (done) return;
      // No half-close after the body: Node's server drops a request whose client sent FIN before the answer.
      if (i >= pieces) return;
      socket.write(body.subarray(i * size, (i + 1) * size));
      setTimeout(() => sendPiece(i + 1), request.gapMs ?? 0);
    };
    sendPiece(0);
  });
}
