import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** How the receiver answers: `ok` 204; `fail` 500; `slow` holds the request until it is closed. `down` is not listening at all. */
export type ReceiverMode = 'ok' | 'fail' | 'slow';

export interface Received {
  id: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * A webhook receiver on 127.0.0.1 (a real HTTP server): it can go down (stop listening on its port)
 * and come back on the same port, answer slowly, fail, or accept. `delivered` holds the bodies it
 * accepted; `unique` deduplicates them by event id as a receiver should.
 */
export class Receiver {
  mode: ReceiverMode = 'ok';
  readonly delivered: Received[] = [];
  /** Requests seen in any mode, accepted or not. */
  requests = 0;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hook`;
  }

  /** Ids accepted, each once. */
  unique(): string[] {
    return [...new Set(this.delivered.map((d) => d.id))];
  }

  async up(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and drops every connection: a request now is refused. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    this.requests += 1;
    if (this.mode === 'slow') return; // never answers: the sender's timeout must end the request
    if (this.mode === 'fail') {
      res.writeHead(500).end('busy');
      return;
    }
    this.delivered.push({ id: String(req.headers['x-muster-event-id']), headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    res.writeHead(204).end();
  }
}
