import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CheckinRequest } from '../observed/state-schema.js';
import { StoreUnavailableError, type CheckinRecord, type StoreKind } from '../store/store.js';
import { authenticateKnown, authenticateUnknown } from './authenticate.js';
import { checkinProblems } from './checkin-validation.js';
import { writeError, writeJson } from './errors.js';
import { GroupCommitter, type GroupCommitOptions } from './group-commit.js';
import { readJsonBody } from './json-body.js';
import type { TokenCache } from './token-cache.js';
import type { ApiOptions } from './server.js';

/** Seconds an appliance is asked to wait when the store is unavailable. */
export const RETRY_AFTER_SECONDS = 5;

/** Largest request body accepted (64 KiB): the limit docs/protocol.md states for check-ins. */
export const BODY_LIMIT_BYTES = 64 * 1024;

/** The path of the check-in route. */
export const CHECKIN_PATH = '/v1/checkin';

/**
 * Group commit as each store does best. SQLite commits one transaction at a time (a second commit in
 * flight would only wait for the first) and a commit takes well under a millisecond, so a batch needs no
 * wait: it is what arrived while the previous commit ran, or in the event loop's current turn (a 2 ms
 * wait measured 0.45–0.47× the bare server's rate against 0.50–0.54× without, 2026-12-05). PostgreSQL
 * writes the log of overlapping commits in one flush, so four in flight (of the pool's ten
 * connections) multiply the rate; there a 2 ms wait halves the statements for the same rate.
 */
export function defaultGroupCommit(kind: StoreKind): GroupCommitOptions {
  return kind === 'postgres' ? { maxBatch: 500, maxDelayMs: 2, maxConcurrent: 4 } : { maxBatch: 500, maxDelayMs: 0, maxConcurrent: 1 };
}

const RETRY_LATER = { 'retry-after': String(RETRY_AFTER_SECONDS) };

/**
 * `POST /v1/checkin`: the token names the appliance (looked up in memory, see token-cache.ts); the body is
 * validated against the committed schema;
 * the report is written through group commit and acknowledged only once durable; the answer is the
 * appliance's target and retention policy from the latest plan.
 *
 * It is the one route every appliance calls every minute, so it is served on Node's own request and
 * response objects, ahead of fastify's router (see server.ts): fastify's routing, hooks and reply
 * path cost as much CPU per check-in as everything the check-in itself does. It answers as fastify
 * would: the same body limit, media type, JSON parsing and `{error, message}` answers.
 */
export class CheckinEndpoint {
  private readonly committer: GroupCommitter<CheckinRecord>;
  private readonly outcomes: Record<'ok' | 'unauthorized' | 'invalid' | 'forbidden' | 'unavailable', { inc(): void }>;
  private closing = false;

  constructor(
    private readonly options: ApiOptions,
    private readonly tokens: TokenCache,
  ) {
    const { store, metrics } = options;
    this.committer = new GroupCommitter<CheckinRecord>(
      async (batch) => {
        metrics.checkinBatch.observe(batch.length);
        await store.recordCheckins(batch);
      },
      options.groupCommit ?? defaultGroupCommit(store.kind),
      options.clock,
    );
    // Bound once: a labelled counter looked up per request hashes its labels every time.
    const counter = (outcome: string) => metrics.checkins.labels({ outcome });
    this.outcomes = { ok: counter('ok'), unauthorized: counter('unauthorized'), invalid: counter('invalid'), forbidden: counter('forbidden'), unavailable: counter('unavailable') };
  }

  /** Whether a request is a check-in (the query string, if any, is ignored as fastify's router does). */
  static matches(request: IncomingMessage): boolean {
    const url = request.url ?? '';
    return request.method === 'POST' && (url === CHECKIN_PATH || url.startsWith(`${CHECKIN_PATH}?`));
  }

  handle(request: IncomingMessage, response: ServerResponse): void {
    // As fastify's return503OnClosing: no Retry-After, so an agent backs off on its own schedule.
    if (this.closing) return writeError(response, 'Unavailable', 'the controller is shutting down; retry later', { connection: 'close' });
    this.answer(request, response).catch((err: unknown) => {
      this.options.logger.error({ err, url: request.url }, 'check-in failed');
      if (!response.headersSent) writeError(response, 'Internal', 'internal error; see the controller log');
    });
  }

  /** New check-ins are refused with 503 from now on: the server is closing. */
  stopAccepting(): void {
    this.closing = true;
  }

  /** Resolves once every check-in accepted so far is written (or failed). */
  drain(): Promise<void> {
    return this.committer.drain();
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readJsonBody(request, BODY_LIMIT_BYTES);
    if (body === null) return;
    if (!body.ok) return writeError(response, body.error, body.message, body.error === 'PayloadTooLarge' ? { connection: 'close' } : {});
    try {
      const refusal = await this.accept(request, response, body.value);
      if (refusal) this.outcomes[refusal].inc();
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      this.outcomes.unavailable.inc();
      writeError(response, 'Unavailable', `the store is unavailable (${err.message}); retry later`, RETRY_LATER);
    }
  }

  /** Answers the check-in; returns the outcome to count when it was refused. */
  private async accept(request: IncomingMessage, response: ServerResponse, report: unknown): Promise<keyof CheckinEndpoint['outcomes'] | null> {
    const { view, clock } = this.options;
    const known = authenticateKnown(this.tokens, request.headers.authorization);
    const auth = 'unknown' in known ? await authenticateUnknown(this.tokens, known.unknown) : known;
    if ('refusal' in auth) return refuse(response, 'unauthorized', 'Unauthorized', auth.refusal);
    const { appliance } = auth;
    const problems = checkinProblems(report);
    if (problems.length) return refuse(response, 'invalid', 'Unprocessable', `check-in body does not match the schema: ${problems.join('; ')}`);
    const id = (report as CheckinRequest).id;
    if (id !== undefined && id !== appliance) return refuse(response, 'forbidden', 'Forbidden', `this token belongs to ${appliance}; it cannot report as ${id}`);
    if (!view.responses().ready) {
      // Just started, nothing planned yet: "no target" now would cancel updates in progress.
      return refuse(response, 'unavailable', 'Unavailable', 'the controller has not planned since it started; retry later', RETRY_LATER);
    }
    await this.committer.submit({ appliance, report: report as CheckinRequest, at: new Date(clock.now()) });
    this.outcomes.ok.inc();
    this.options.onCheckin?.(appliance);
    writeJson(response, 200, view.responses().responseFor(appliance));
    return null;
  }
}

function refuse<T extends string>(response: ServerResponse, outcome: T, error: Parameters<typeof writeError>[1], message: string, headers?: Record<string, string>): T {
  writeError(response, error, message, headers);
  return outcome;
}
