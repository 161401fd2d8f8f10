import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkIn, checkinUrl, type CheckinOutcome } from '../../agent/protocol/checkin-client.js';
import { createHttpFetch } from '../../agent/protocol/http-fetch.js';

const NOW = Date.parse('2026-02-02T12:00:00Z');
const REPORT = { agentVersion: '1.0.45', imageVersion: '45', update: null, retention: null };
const OK_BODY = { target: null, retention: null, checkinIntervalSeconds: 30 };

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

async function serve(listener: RequestListener, server: Server = createHttpServer()): Promise<string> {
  server.on('request', listener);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const scheme = 'cert' in server ? 'https' : 'http';
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function answerWith(status: number, body: string, headers: Record<string, string> = {}): Promise<CheckinOutcome> {
  const url = await serve((_req, res) => res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body));
  const http = createHttpFetch();
  try {
    return await checkIn({ server: url, token: 't', report: REPORT, fetch: http.fetch, now: NOW });
  } finally {
    await http.close();
  }
}

describe('one check-in', () => {
  it('posts the report as JSON with the bearer token to /v1/checkin', async () => {
    let seen: { method?: string; url?: string; auth?: string; body?: unknown } = {};
    const url = await serve((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen = { method: req.method, url: req.url, auth: req.headers.authorization, body: JSON.parse(Buffer.concat(chunks).toString()) };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(OK_BODY));
      });
    });
    const http = createHttpFetch();
    const outcome = await checkIn({ server: `${url}/muster`, token: 'secret', report: REPORT, fetch: http.fetch, now: NOW });
    await http.close();
    expect(outcome).toEqual({ kind: 'ok', response: OK_BODY });
    expect(seen).toEqual({ method: 'POST', url: '/muster/v1/checkin', auth: 'Bearer secret', body: REPORT });
  });

  it.each([
    { name: 'a valid answer', given: { status: 200, body: JSON.stringify(OK_BODY) }, want: { kind: 'ok', response: OK_BODY } },
    {
      name: 'an answer that breaks the schema',
      given: { status: 200, body: JSON.stringify({ target: null, retention: null }) },
      want: { kind: 'unreachable', message: "invalid check-in response: data must have required property 'checkinIntervalSeconds'" },
    },
    {
      name: '401',
      given: { status: 401, body: JSON.stringify({ error: 'Unauthorized', message: 'unknown token' }) },
      want: { kind: 'unauthorized', status: 401, message: 'HTTP 401 Unauthorized: unknown token' },
    },
    {
      name: '403',
      given: { status: 403, body: JSON.stringify({ error: 'Forbidden', message: 'token belongs to vm-01' }) },
      want: { kind: 'unauthorized', status: 403, message: 'HTTP 403 Forbidden: token belongs to vm-01' },
    },
    {
      name: '400 with the server’s message',
      given: { status: 400, body: JSON.stringify({ error: 'BadRequest', message: 'update.phase must be one of …' }) },
      want: { kind: 'rejected', status: 400, message: 'HTTP 400 BadRequest: update.phase must be one of …' },
    },
    {
      name: '503 with Retry-After in seconds',
      given: { status: 503, body: '', headers: { 'retry-after': '30' } },
      want: { kind: 'retry-after', status: 503, retryAfterMs: 30_000, message: 'HTTP 503' },
    },
    {
      name: '429 without Retry-After',
      given: { status: 429, body: 'slow down' },
      want: { kind: 'retry-after', status: 429, retryAfterMs: null, message: 'HTTP 429: slow down' },
    },
    { name: '500', given: { status: 500, body: 'boom' }, want: { kind: 'unreachable', message: 'HTTP 500: boom' } },
  ])('classifies $name', async ({ given, want }) => {
    expect(await answerWith(given.status, given.body, given.headers)).toEqual(want);
  });

  it('reports a refused connection as unreachable, naming the socket error', async () => {
    const url = await serve(() => undefined);
    const [s] = servers.splice(0);
    await new Promise((resolve) => s!.close(resolve));
    const http = createHttpFetch();
    const outcome = await checkIn({ server: url, token: 't', report: REPORT, fetch: http.fetch, now: NOW });
    await http.close();
    expect(outcome.kind).toBe('unreachable');
    expect(outcome.kind === 'unreachable' && outcome.message).toContain('ECONNREFUSED');
  });

  it('keeps a base path when building the URL', () => {
    expect(checkinUrl('https://fleet.example.org')).toBe('https://fleet.example.org/v1/checkin');
    expect(checkinUrl('https://fleet.example.org/muster/')).toBe('https://fleet.example.org/muster/v1/checkin');
  });

  const hasOpenssl = (() => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!hasOpenssl)('trusts a server signed by --ca, and refuses it without', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'muster-tls-'));
    try {
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
        '-addext', 'subjectAltName=IP:127.0.0.1',
        '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ], { stdio: 'ignore' });
      const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
      const server = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert });
      const url = await serve((_req, res) => res.writeHead(200).end(JSON.stringify(OK_BODY)), server);
      expect(url.startsWith('https://')).toBe(true);

      const trusting = createHttpFetch({ ca: cert });
      expect(await checkIn({ server: url, token: 't', report: REPORT, fetch: trusting.fetch, now: NOW })).toEqual({ kind: 'ok', response: OK_BODY });
      await trusting.close();

      const system = createHttpFetch();
      const refused = await checkIn({ server: url, token: 't', report: REPORT, fetch: system.fetch, now: NOW });
      await system.close();
      expect(refused.kind).toBe('unreachable');
      expect(refused.kind === 'unreachable' && refused.message).toMatch(/self[- ]signed/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
