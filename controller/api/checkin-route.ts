import type { FastifyInstance } from 'fastify';
import type { CheckinRequest } from '../observed/state-schema.js';
import { StoreUnavailableError, type CheckinRecord, type StoreKind } from '../store/store.js';
import { authenticate } from './authenticate.js';
import { checkinProblems } from './checkin-validation.js';
import { sendError } from './errors.js';
import { GroupCommitter, type GroupCommitOptions } from './group-commit.js';
import type { TokenCache } from './token-cache.js';
import type { ApiOptions } from './server.js';

/** Seconds an appliance is asked to wait when the store is unavailable. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * Group commit as each store does best: SQLite commits one transaction at a time (a second commit in
 * flight would only wait for the first); PostgreSQL writes the log of overlapping commits in one flush,
 * so four in flight (of the pool's ten connections) multiply the rate.
 */
export function defaultGroupCommit(kind: StoreKind): GroupCommitOptions {
  return { maxBatch: 500, maxDelayMs: 2, maxConcurrent: kind === 'postgres' ? 4 : 1 };
}

/**
 * `POST /v1/checkin`: the token names the appliance (looked up in memory, see token-cache.ts); the body is
 * validated against the committed schema;
 * the report is written through group commit and acknowledged only once durable; the answer is the
 * appliance's target and retention policy from the latest plan.
 */
export function registerCheckinRoute(app: FastifyInstance, options: ApiOptions, tokens: TokenCache): void {
  const { store, metrics, view } = options;
  const committer = new GroupCommitter<CheckinRecord>(
    async (batch) => {
      metrics.checkinBatch.observe(batch.length);
      await store.recordCheckins(batch);
    },
    options.groupCommit ?? defaultGroupCommit(store.kind),
    options.clock,
  );
  app.addHook('onClose', async () => committer.drain());

  app.post('/v1/checkin', async (request, reply) => {
    try {
      const auth = await authenticate(tokens, request.headers.authorization);
      if ('refusal' in auth) {
        metrics.checkins.inc({ outcome: 'unauthorized' });
        return sendError(reply, 'Unauthorized', auth.refusal);
      }
      const { appliance } = auth;
      const problems = checkinProblems(request.body);
      if (problems.length) {
        metrics.checkins.inc({ outcome: 'invalid' });
        return sendError(reply, 'Unprocessable', `check-in body does not match the schema: ${problems.join('; ')}`);
      }
      const report = request.body as CheckinRequest;
      if (report.id !== undefined && report.id !== appliance) {
        metrics.checkins.inc({ outcome: 'forbidden' });
        return sendError(reply, 'Forbidden', `this token belongs to ${appliance}; it cannot report as ${report.id}`);
      }
      if (!view.responses().ready) {
        // Just started, nothing planned yet: "no target" now would cancel updates in progress.
        metrics.checkins.inc({ outcome: 'unavailable' });
        return sendError(reply, 'Unavailable', 'the controller has not planned since it started; retry later', {
          'retry-after': String(RETRY_AFTER_SECONDS),
        });
      }
      await committer.submit({ appliance, report, at: new Date(options.clock.now()) });
      metrics.checkins.inc({ outcome: 'ok' });
      options.onCheckin?.(appliance);
      return reply.type('application/json').send(view.responses().responseFor(appliance));
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      metrics.checkins.inc({ outcome: 'unavailable' });
      return sendError(reply, 'Unavailable', `the store is unavailable (${err.message}); retry later`, {
        'retry-after': String(RETRY_AFTER_SECONDS),
      });
    }
  });
}
