import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import { tempDir } from './tmp.js';
import type { AddressInfo } from 'node:net';

/**
 * A loopback HTTP server that answers, as the Kubernetes API server does, exactly the routes Muster
 * uses on `muster.dev/v1alpha1` custom resources in one namespace:
 *
 * - `GET …/namespaces/NS/PLURAL`: a List whose `metadata.resourceVersion` is the current one;
 * - `GET …?watch=true&resourceVersion=RV[&allowWatchBookmarks=true]`: a chunked stream of
 *   `{type, object}` lines replaying every change after RV, then live ones; BOOKMARK events when
 *   asked for; an RV older than the compacted history gets an ERROR event with a 410 Status
 *   (`expired`), as an etcd-backed server does, or an HTTP 410 (`gone: 'http'`);
 * - `PATCH …/rollouts/NAME/status` with `application/merge-patch+json`: an RFC 7386 merge of the
 *   body's `status` alone, a new resourceVersion, a MODIFIED event;
 * - 401 without the bearer token; 403 for a verb and resource `forbid` names (RBAC); a queued
 *   answer (`failNext`) such as 409 Conflict.
 *
 * It serves HTTPS with a certificate of its own (`ca`), as API servers do: the client refuses
 * plain HTTP. Written from the API conventions (resourceVersion semantics, watch events, Status objects), not
 * from a real server: docs/kubernetes.md says what that means.
 */
export class FakeKubeApi {
  readonly token = 'muster-test-token';
  /** Every request, as `VERB path` (verb as RBAC names it: list, watch, patch). */
  readonly requests: string[] = [];
  /** The query of every watch request, in order. */
  readonly watchQueries: URLSearchParams[] = [];
  private version = 1;
  /** Changes at or below this resourceVersion are forgotten: watching from before it is 410 Gone. */
  private compactedAt = 0;
  private goneMode: 'event' | 'http' = 'event';
  private readonly objects = new Map<string, Map<string, Record<string, unknown>>>();
  private readonly history: { version: number; plural: string; type: string; object: Record<string, unknown> }[] = [];
  private readonly watches = new Set<{ plural: string; res: ServerResponse; bookmarks: boolean }>();
  private readonly forbidden = new Set<string>();
  private readonly queued: { verb: string; plural: string; code: number }[] = [];
  private server: Server | null = null;
  /** The PEM certificate the server presents: the kubeconfig's certificate authority. */
  ca = '';

  constructor(readonly namespace: string) {}

  async start(): Promise<string> {
    const { cert, key } = selfSignedCertificate();
    this.ca = cert;
    this.server = createServer({ cert, key }, (req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.closeWatches();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Creates or replaces an object (as `kubectl apply` would); a changed spec bumps its generation. */
  apply(plural: string, object: { apiVersion?: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: unknown }): void {
    const held = this.kind(plural);
    const before = held.get(object.metadata.name);
    const meta = before?.metadata as { generation: number; creationTimestamp: string } | undefined;
    const specChanged = JSON.stringify(before?.spec) !== JSON.stringify(object.spec);
    const next = {
      apiVersion: 'muster.dev/v1alpha1',
      ...object,
      metadata: {
        ...object.metadata,
        namespace: this.namespace,
        uid: `uid-${plural}-${object.metadata.name}`,
        generation: meta ? meta.generation + (specChanged ? 1 : 0) : 1,
        creationTimestamp: meta?.creationTimestamp ?? '2026-12-04T00:00:00Z',
        resourceVersion: String(++this.version),
        managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
      },
      ...(before?.status === undefined ? {} : { status: before.status }),
    };
    held.set(object.metadata.name, next);
    this.emit(plural, before ? 'MODIFIED' : 'ADDED', next);
  }

  delete(plural: string, name: string): void {
    const object = this.kind(plural).get(name);
    if (!object) return;
    this.kind(plural).delete(name);
    this.emit(plural, 'DELETED', { ...object, metadata: { ...(object.metadata as object), resourceVersion: String(++this.version) } });
  }

  get(plural: string, name: string): Record<string, unknown> | undefined {
    return this.kind(plural).get(name);
  }

  /** Forgets the change history, as etcd compaction does: a watch from an older version gets 410. */
  compact(mode: 'event' | 'http' = 'event'): void {
    this.compactedAt = this.version;
    this.goneMode = mode;
    this.history.length = 0;
  }

  /** Sends a BOOKMARK with the current resourceVersion on every watch that asked for them. */
  bookmark(): void {
    for (const w of this.watches) if (w.bookmarks) this.send(w.res, 'BOOKMARK', { kind: 'Rollout', metadata: { resourceVersion: String(this.version) } });
  }

  /** Ends every open watch stream, as the server does when a watch's timeout runs out. */
  closeWatches(): void {
    for (const w of this.watches) w.res.end();
    this.watches.clear();
  }

  /** The newest resourceVersion handed out. */
  currentVersion(): string {
    return String(this.version);
  }

  openWatches(): number {
    return this.watches.size;
  }

  /** Answers 403 Forbidden to `verb` on `resource` (e.g. `patch`, `rollouts/status`), as RBAC would. */
  forbid(verb: string, resource: string, forbidden = true): void {
    if (forbidden) this.forbidden.add(`${verb} ${resource}`);
    else this.forbidden.delete(`${verb} ${resource}`);
  }

  /** Answers the next `verb` on `resource` with `code` (409 Conflict, 500 …) instead of serving it. */
  failNext(verb: string, resource: string, code: number): void {
    this.queued.push({ verb, plural: resource, code });
  }

  private kind(plural: string): Map<string, Record<string, unknown>> {
    let held = this.objects.get(plural);
    if (!held) this.objects.set(plural, (held = new Map()));
    return held;
  }

  private emit(plural: string, type: string, object: Record<string, unknown>): void {
    this.history.push({ version: this.version, plural, type, object });
    for (const w of this.watches) if (w.plural === plural) this.send(w.res, type, object);
  }

  private send(res: ServerResponse, type: string, object: unknown): void {
    res.write(JSON.stringify({ type, object }) + '\n');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = /^\/apis\/muster\.dev\/v1alpha1\/namespaces\/([^/]+)\/([a-z]+)(?:\/([^/]+)\/(status))?$/.exec(url.pathname);
    const watch = url.searchParams.get('watch') === 'true';
    const verb = req.method === 'GET' ? (watch ? 'watch' : 'list') : req.method === 'PATCH' ? 'patch' : (req.method ?? '').toLowerCase();
    this.requests.push(`${verb} ${url.pathname}`);
    if (req.headers.authorization !== `Bearer ${this.token}`) return status(res, 401, 'Unauthorized', 'Unauthorized');
    if (!match || match[1] !== this.namespace) return status(res, 404, 'NotFound', `the server could not find the requested resource ${url.pathname}`);
    const plural = match[2] as string;
    const resource = match[4] ? `${plural}/status` : plural;
    if (this.forbidden.has(`${verb} ${resource}`)) {
      return status(res, 403, 'Forbidden', `${resource}.muster.dev is forbidden: User "system:serviceaccount:${this.namespace}:muster" cannot ${verb} resource "${resource}" in API group "muster.dev" in the namespace "${this.namespace}"`);
    }
    const queued = this.queued.findIndex((q) => q.verb === verb && q.plural === resource);
    if (queued >= 0) {
      const { code } = this.queued.splice(queued, 1)[0] as { code: number };
      return status(res, code, code === 409 ? 'Conflict' : 'InternalError', `injected ${code} for ${verb} ${resource}`);
    }
    if (verb === 'list' && !match[3]) return this.list(res, plural);
    if (verb === 'watch' && !match[3]) return this.watch(res, plural, url.searchParams);
    if (verb === 'patch' && match[3] && plural === 'rollouts') return this.patchStatus(req, res, match[3]);
    return status(res, 405, 'MethodNotAllowed', `${req.method} is not supported on ${url.pathname}`);
  }

  private list(res: ServerResponse, plural: string): void {
    const items = [...this.kind(plural).values()];
    json(res, 200, { apiVersion: 'muster.dev/v1alpha1', kind: 'List', metadata: { resourceVersion: String(this.version) }, items });
  }

  private watch(res: ServerResponse, plural: string, params: URLSearchParams): void {
    this.watchQueries.push(params);
    const from = Number(params.get('resourceVersion') ?? '0');
    if (from < this.compactedAt) {
      const gone = { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410, message: `too old resource version: ${from} (${this.compactedAt})` };
      if (this.goneMode === 'http') return json(res, 410, gone);
      res.writeHead(200, { 'content-type': 'application/json' });
      this.send(res, 'ERROR', gone);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    // The API server answers a watch at once; events follow whenever they happen.
    res.flushHeaders();
    for (const change of this.history) if (change.plural === plural && change.version > from) this.send(res, change.type, change.object);
    const entry = { plural, res, bookmarks: params.get('allowWatchBookmarks') === 'true' };
    this.watches.add(entry);
    res.on('close', () => this.watches.delete(entry));
  }

  private async patchStatus(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    if (req.headers['content-type'] !== 'application/merge-patch+json') return status(res, 415, 'UnsupportedMediaType', `unsupported patch type ${req.headers['content-type']}`);
    const object = this.kind('rollouts').get(name);
    if (!object) return status(res, 404, 'NotFound', `rollouts.muster.dev "${name}" not found`);
    let body = '';
    for await (const chunk of req) body += String(chunk);
    const patch = JSON.parse(body) as { status?: unknown };
    // The status subresource ignores every change but the status.
    const next = { ...object, status: mergePatch(object.status, patch.status), metadata: { ...(object.metadata as object), resourceVersion: String(++this.version) } };
    this.kind('rollouts').set(name, next);
    this.emit('rollouts', 'MODIFIED', next);
    json(res, 200, next);
  }
}

/** RFC 7386 JSON merge patch: objects merge key by key, null deletes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

function json(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function status(res: ServerResponse, code: number, reason: string, message: string): void {
  json(res, code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
}

/** A certificate for 127.0.0.1 and its key (PEM), made by openssl. */
function selfSignedCertificate(): { cert: string; key: string } {
  const { dir, remove } = tempDir('muster-kube-tls-');
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    remove();
  }
}

/** A kubeconfig that reaches the fake at `server` with its certificate authority and bearer token, as `kubectl config view --raw` writes one. */
export function kubeconfigFor(server: string, token: string, namespace: string, ca: string): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '  - name: fake',
    `    cluster: { server: "${server}", certificate-authority-data: ${Buffer.from(ca).toString('base64')} }`,
    'users:',
    '  - name: muster',
    `    user: { token: "${token}" }`,
    'contexts:',
    '  - name: fake',
    `    context: { cluster: fake, user: muster, namespace: ${namespace} }`,
    'current-context: fake',
    '',
  ].join('\n');
}
