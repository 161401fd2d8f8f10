import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import type { RawRequest } from './raw-http.js';

/** What a hostile-request generator needs to know about the target controller. */
export interface Target {
  /** A valid appliance token, so bodies get past authentication and reach validation and storage. */
  token: string;
  webhookSecret: string;
  /** A correctly signed webhook body seen earlier, sent again (a replay). */
  replayBody: string;
}

export const ROUTES = ['/v1/checkin', '/v1/evidence', '/v1/hooks/git', '/v1/status', '/healthz', '/readyz', '/metrics'];
const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'CONNECT', 'FOO'];
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/json\u00e9',
  '',
  ';;;',
];

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value) ?? 'null');
const valid = { agentVersion: '1.0.49', imageVersion: '49', update: null, retention: null };

/** Numbers JSON can carry that JavaScript and databases struggle with. */
const hugeNumberText = fc.constantFrom('1e400', '-1e400', '1e-400', '9007199254740993', '123456789012345678901234567890', '-0', '1E308', '0.0000000000000000000001');

/** A valid check-in with one field replaced by something arbitrary (structure-aware fuzzing). */
const mutatedCheckin = fc
  .tuple(fc.constantFrom('agentVersion', 'imageVersion', 'update', 'retention', 'id', 'deferUntil', '__proto__', 'constructor', 'extra'), fc.anything({ maxDepth: 4, withNullPrototype: true, withBigInt: false }))
  .map(([field, value]) => json({ ...valid, [field]: value }));

const updateShaped = fc
  .record({
    release: fc.oneof(fc.string(), fc.constant('v1.0.51')),
    phase: fc.oneof(fc.string(), fc.constantFrom('downloading', 'installing', 'succeeded', 'failed')),
    attempt: fc.oneof(fc.integer(), fc.double(), fc.constant(Number.MAX_SAFE_INTEGER)),
    error: fc.oneof(fc.constant(null), fc.string({ maxLength: 5000 })),
    since: fc.oneof(fc.string(), fc.date({ noInvalidDate: true }).map((d) => d.toISOString())),
  })
  .map((update) => json({ ...valid, update }));

const hugeNumbers = hugeNumberText.map((n) => Buffer.from(`{"agentVersion":"1","imageVersion":"1","update":{"release":"v1.0.51","phase":"installing","attempt":${n},"error":null,"since":"2026-01-01T00:00:00Z"},"retention":null}`));
const deepNesting = fc.integer({ min: 100, max: 30_000 }).chain((depth) =>
  fc.constantFrom(`${'['.repeat(depth)}${']'.repeat(depth)}`, `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`, `{"update":${'['.repeat(depth)}`).map((t) => Buffer.from(t)),
);
const randomBytes = fc.uint8Array({ maxLength: 2048 }).map((bytes) => Buffer.from(bytes));
const oversized = fc.integer({ min: 64 * 1024 + 1, max: 256 * 1024 }).map((n) => Buffer.from(`{"agentVersion":"${'x'.repeat(n)}"}`));

const checkinBody = fc.oneof(
  { weight: 4, arbitrary: mutatedCheckin },
  { weight: 2, arbitrary: updateShaped },
  { weight: 1, arbitrary: hugeNumbers },
  { weight: 1, arbitrary: deepNesting },
  { weight: 2, arbitrary: randomBytes },
  { weight: 1, arbitrary: oversized },
);

function authorization(target: Target) {
  return fc.oneof(
    { weight: 5, arbitrary: fc.constant(`Bearer ${target.token}`) },
    { weight: 1, arbitrary: fc.string({ maxLength: 600 }).map((s) => `Bearer ${s.replace(/[\r\n]/g, '')}`) },
    { weight: 1, arbitrary: fc.constantFrom('Bearer', 'Basic YWxhZGRpbjpvcGVuc2VzYW1l', `bearer ${target.token}`, `Bearer ${'A'.repeat(9000)}`, '\u00ff\u00fe') },
  );
}

/** A check-in as a broken or malicious appliance might send it: any body, any content type. */
function hostileCheckin(target: Target): fc.Arbitrary<RawRequest> {
  return fc
    .record({ body: checkinBody, type: fc.oneof({ weight: 6, arbitrary: fc.constant('application/json') }, { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) }), auth: authorization(target), route: fc.constantFrom('/v1/checkin', '/v1/evidence') })
    .map(({ body, type, auth, route }) => ({ method: 'POST', path: route, headers: [['content-type', type], ['authorization', auth]] as [string, string][], body }));
}

/** Webhooks: forged signatures of every malformed kind, and replays of a valid one. */
function hostileWebhook(target: Target): fc.Arbitrary<RawRequest> {
  const sign = (body: string) => `sha256=${createHmac('sha256', target.webhookSecret).update(body).digest('hex')}`;
  const forged = fc.oneof(
    fc.uint8Array({ minLength: 32, maxLength: 32 }).map((h) => `sha256=${Buffer.from(h).toString('hex')}`),
    fc.string({ maxLength: 200 }).map((s) => s.replace(/[\r\n]/g, '')),
    fc.constantFrom('sha256=', 'sha1=abc', `sha256=${'zz'.repeat(32)}`, `sha256=${'0'.repeat(8000)}`, sign(target.replayBody).toUpperCase()),
  );
  return fc.oneof(
    forged.map((signature) => ({ method: 'POST', path: '/v1/hooks/git', headers: [['x-hub-signature-256', signature], ['content-type', 'application/json']] as [string, string][], body: Buffer.from(target.replayBody) })),
    fc.constant({ method: 'POST', path: '/v1/hooks/git', headers: [['x-hub-signature-256', sign(target.replayBody)], ['content-type', 'application/json']] as [string, string][], body: Buffer.from(target.replayBody) }),
    randomBytes.map((body) => ({ method: 'POST', path: '/v1/hooks/git', headers: [['x-hub-signature-256', sign(target.replayBody)]] as [string, string][], body })),
  );
}

const pathTrick = fc.oneof(
  fc.constantFrom(...ROUTES),
  fc.constantFrom(...ROUTES).map((r) => `${r}/../../etc/passwd`),
  fc.constantFrom(...ROUTES).map((r) => `/${r}//`),
  fc.constantFrom('/%2e%2e/%2e%2e/etc/passwd', '/v1/%63heckin', '/%00', '/v1/checkin%00', '/%E0%A4%A', '/v1/checkin?%', '*', 'http://evil.example/v1/status', '/v1/status?a[b][c]=1&a=2', '/\u00e9\u00e8'),
  fc.integer({ min: 1000, max: 60_000 }).map((n) => `/v1/status?${'a'.repeat(n)}`),
  fc.webPath(),
);

/** Any method on any path, with oversized or repeated headers now and then. */
const hostileRoute: fc.Arbitrary<RawRequest> = fc
  .record({
    method: fc.constantFrom(...METHODS),
    path: pathTrick,
    body: fc.oneof(fc.constant(Buffer.alloc(0)), randomBytes, oversized),
    header: fc.oneof(
      { weight: 3, arbitrary: fc.constant<[string, string][]>([]) },
      { weight: 1, arbitrary: fc.integer({ min: 8_000, max: 40_000 }).map((n): [string, string][] => [['x-big', 'h'.repeat(n)]]) },
      { weight: 1, arbitrary: fc.integer({ min: 100, max: 3_000 }).map((n): [string, string][] => Array.from({ length: n }, (_, i) => [`x-h${i}`, 'v'])) },
      { weight: 1, arbitrary: fc.constant<[string, string][]>([['content-length', '99999999999999999999']]) },
      { weight: 1, arbitrary: fc.constant<[string, string][]>([['transfer-encoding', 'chunked'], ['content-length', '5']]) },
    ),
  })
  .map(({ method, path, body, header }) => ({ method, path, headers: [['content-type', 'application/json'], ...header] as [string, string][], body }));

/** Every kind of hostile request, weighted toward check-ins (the route appliances hammer). */
export function hostileRequest(target: Target): fc.Arbitrary<RawRequest> {
  return fc.oneof({ weight: 6, arbitrary: hostileCheckin(target) }, { weight: 2, arbitrary: hostileWebhook(target) }, { weight: 2, arbitrary: hostileRoute });
}
