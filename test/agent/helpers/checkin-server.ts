import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAjv } from '../../../controller/desired/ajv.js';
import { CheckinResponse } from '../../../controller/observed/checkin-response-schema.js';
import { CheckinRequest } from '../../../controller/observed/state-schema.js';

export interface ReceivedCheckin {
  appliance: string;
  body: CheckinRequest;
}

const ajv = createAjv({ useDefaults: false });
const validRequest = ajv.compile<CheckinRequest>(CheckinRequest);
const validResponse = ajv.compile<CheckinResponse>(CheckinResponse);

/**
 * A minimal `POST /v1/checkin` endpoint on 127.0.0.1 answering per the committed schemas: bearer
 * tokens map to appliances, bodies are validated, answers come from `answer`. It can go away and
 * come back on the same port, or answer 503 with a Retry-After.
 */
export class CheckinServer {
  readonly received: ReceivedCheckin[] = [];
  /** Requests that reached the server, valid or not. */
  attempts = 0;
  /** What to tell an appliance; validated against CheckinResponse before it is sent. */
  answer: (appliance: string) => CheckinResponse = () => ({ target: null, retention: null, checkinIntervalSeconds: 60 });
  /** When set, every request is answered with this status (and Retry-After when given). */
  unavailable: { status: number; retryAfter?: string } | null = null;
  private server = createServer((req, res) => void this.handle(req, res));
  private port = 0;

  constructor(private readonly tokens: Record<string, string>) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Stops listening and drops open connections: the controller is gone. */
  async goAway(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  close(): Promise<void> {
    return this.server.listening ? this.goAway() : Promise.resolve();
  }

  /** The check-ins one appliance sent, oldest first. */
  from(appliance: string): CheckinRequest[] {
    return this.received.filter((r) => r.appliance === appliance).map((r) => r.body);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.attempts++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) =>
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    if (this.unavailable) {
      const { status, retryAfter } = this.unavailable;
      return void send(status, { error: 'Unavailable', message: 'try later' }, retryAfter ? { 'retry-after': retryAfter } : {});
    }
    if (req.method !== 'POST' || req.url !== '/v1/checkin') return void send(404, { error: 'NotFound', message: req.url ?? '' });
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const appliance = token === undefined ? undefined : this.tokens[token];
    if (!appliance) return void send(401, { error: 'Unauthorized', message: 'unknown token' });
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return void send(400, { error: 'BadRequest', message: 'body is not JSON' });
    }
    if (!validRequest(body)) return void send(400, { error: 'BadRequest', message: ajv.errorsText(validRequest.errors) });
    if (body.id !== undefined && body.id !== appliance) return void send(403, { error: 'Forbidden', message: `token belongs to ${appliance}` });
    this.received.push({ appliance, body });
    const answer = this.answer(appliance);
    if (!validResponse(answer)) throw new Error(`test answer is not a CheckinResponse: ${ajv.errorsText(validResponse.errors)}`);
    send(200, answer);
  }
}
