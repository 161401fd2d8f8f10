/**
 * A local OpenTimestamps calendar for tests: a real HTTP server on 127.0.0.1 (port 0) that speaks
 * the calendar protocol.
 *
 * - `POST /digest` (≤ 64 bytes) answers a pending timestamp built the way public calendars build
 *   theirs: prepend a 4-byte time, append an 8-byte HMAC, a pending attestation with the calendar's
 *   URI. The 44-byte commitment it made is remembered as pending.
 * - `GET /timestamp/<hex>` answers what `answers` holds for that commitment; commitments it made
 *   itself are "Pending confirmation in Bitcoin blockchain"; anything else is 404 "Not found".
 *
 * `routeTo` builds the injected HTTP layer that sends a public calendar's requests (for example
 * those of the fixtures' alice and bob calendars) to such a server.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pendingAttestation } from '../../controller/ots/attestations.js';
import { concatBytes, toHex } from '../../controller/ots/bytes.js';
import { parseDetached, serializeTimestamp, type Timestamp } from '../../controller/ots/codec.js';
import type { FetchLike } from '../../controller/ots/calendar-http.js';
import { readFixture } from './fixtures.js';

/** How the calendar answers an upgrade request for one commitment. */
export type CalendarAnswer =
  | { kind: 'timestamp'; bytes: Uint8Array }
  | { kind: 'pending' }
  | { kind: 'confirming'; txid: string; confirmations?: number }
  | { kind: 'status'; status: number; body?: string }
  /** Never answers (until the server closes): for timeouts. */
  | { kind: 'hang' };

export interface CalendarRequest {
  method: string;
  path: string;
  accept: string | undefined;
  body: Uint8Array;
}

export interface CalendarServer {
  /** Base URL, e.g. http://127.0.0.1:40123 */
  url: string;
  /** URI written into the pending attestations it issues. */
  uri: string;
  /** Answers by commitment hex; tests set them before asking. */
  answers: Map<string, CalendarAnswer>;
  /** Every request received, in order. */
  requests: CalendarRequest[];
  close(): Promise<void>;
}

export interface CalendarServerOptions {
  /** Identity in pending attestations; defaults to the server's own URL. */
  uri?: string;
  answers?: Record<string, CalendarAnswer>;
  /** Clock for the 4-byte time of submissions, ms. */
  now?: () => number;
  hmacKey?: string;
}

/** Starts a calendar on 127.0.0.1 with a free port. */
export async function startCalendarServer(options: CalendarServerOptions = {}): Promise<CalendarServer> {
  const answers = new Map(Object.entries(options.answers ?? {}));
  const requests: CalendarRequest[] = [];
  const issued = new Set<string>();
  const now = options.now ?? Date.now;
  const key = options.hmacKey ?? 'calendar-test-key';
  let uri = options.uri ?? '';

  const server = createServer((req, res) => {
    void readBody(req, 4096).then((body) => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', accept: req.headers.accept, body });
      if (req.method === 'POST' && req.url === '/digest') return digest(body, res);
      const m = /^\/timestamp\/([0-9a-fA-F]*)$/.exec(req.url ?? '');
      if (req.method === 'GET' && m) return timestamp((m[1] as string).toLowerCase(), res);
      send(res, 404, 'not found');
    });
  });

  function digest(body: Uint8Array, res: ServerResponse): void {
    if (body.length === 0 || body.length > 64) return send(res, 400, 'digest too long');
    const time = Buffer.alloc(4);
    time.writeUInt32BE(Math.floor(now() / 1000));
    const mac = createHmac('sha256', key).update(time).update(body).digest().subarray(0, 8);
    issued.add(toHex(concatBytes(time, body, mac)));
    const answer: Timestamp = {
      items: [{ kind: 'op', op: { name: 'prepend', arg: time }, next: {
        items: [{ kind: 'op', op: { name: 'append', arg: mac }, next: {
          items: [{ kind: 'attestation', attestation: pendingAttestation(uri) }],
        } }],
      } }],
    };
    send(res, 200, serializeTimestamp(answer), 'application/octet-stream');
  }

  function timestamp(commitment: string, res: ServerResponse): void {
    const answer = answers.get(commitment) ?? (issued.has(commitment) ? { kind: 'pending' as const } : undefined);
    if (!answer) return send(res, 404, 'Not found');
    switch (answer.kind) {
      case 'timestamp':
        return send(res, 200, answer.bytes, 'application/octet-stream');
      case 'pending':
        return send(res, 404, 'Pending confirmation in Bitcoin blockchain');
      case 'confirming':
        return send(res, 404, `Timestamped by transaction ${answer.txid}; waiting for ${answer.confirmations ?? 6} confirmations`);
      case 'status':
        return send(res, answer.status, answer.body ?? '');
      case 'hang':
        return;
    }
  }

  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  uri ||= url;
  return {
    url,
    uri,
    answers,
    requests,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

function send(res: ServerResponse, status: number, body: string | Uint8Array, type = 'text/plain'): void {
  res.writeHead(status, { 'Content-Type': type });
  res.end(body);
}

async function readBody(req: IncomingMessage, max: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total <= max) chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * An injected HTTP layer: requests whose origin is a key of `routes` go to the mapped local base
 * URL (path kept); any other request fails as unreachable, so nothing leaves the machine.
 */
export function routeTo(routes: Record<string, string>): FetchLike {
  return async (url, init) => {
    const u = new URL(url);
    const local = routes[u.origin];
    if (!local) throw new TypeError(`fetch failed: no route to ${u.origin} in this test`);
    return fetch(`${local}${u.pathname}${u.search}`, init);
  };
}

/**
 * Real proof bytes for an upgrade answer: `sha256`, then everything hello-world.txt.ots holds after
 * its first sha256 (its transaction's second hash, the block's merkle path and the Bitcoin
 * attestation for block 358391). Served as the timestamp that starts at a requested commitment, it
 * gives a well-formed anchored proof; its message at the attestation is not that block's merkle root
 * (no real calendar path leads from a test commitment into block 358391), so checking it against
 * the block header fails — these bytes exercise the protocol and the merge, not Bitcoin.
 */
export function bitcoinContinuation(): Uint8Array {
  const parsed = parseDetached(readFixture('hello-world.txt.ots'));
  if (!parsed.ok) throw new Error(parsed.error.reason);
  let node = parsed.value.timestamp;
  for (;;) {
    const first = node.items[0];
    if (!first || first.kind !== 'op') throw new Error('hello-world.txt.ots has no sha256 before its attestation');
    node = first.next;
    if (first.op.name === 'sha256') break;
  }
  return concatBytes(Uint8Array.of(0x08), serializeTimestamp(node));
}
