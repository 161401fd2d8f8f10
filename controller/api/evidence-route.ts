import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { OtsPolicy } from '../desired/types.js';
import { readEvidenceRequest, storedBundleId } from '../ots/lifecycle/evidence-request.js';
import type { PolicyCalendars } from '../ots/lifecycle/policy-calendars.js';
import { submitEvidence } from '../ots/lifecycle/submit-evidence.js';
import { StoreUnavailableError, type ProofRow, type Store } from '../store/store.js';
import { bearerToken } from './bearer.js';
import { RETRY_AFTER_SECONDS } from './checkin-route.js';
import { sendError } from './errors.js';
import { TokenCache } from './token-cache.js';

/** Evidence submissions by outcome (ControllerMetrics implements it). */
export interface EvidenceMetrics {
  submission(outcome: EvidenceMetricOutcome): void;
}

export type EvidenceMetricOutcome = 'pending' | 'failed' | 'known' | 'conflict' | 'unauthorized' | 'invalid' | 'no-policy' | 'unavailable';

export interface EvidenceRouteOptions {
  store: Store;
  /** The OtsPolicy in force, or null when the desired state has none. */
  policy: () => OtsPolicy | null;
  calendars: PolicyCalendars;
  /** Stamps new proofs' `createdAt`. */
  now: () => Date;
  metrics?: EvidenceMetrics;
  /** How often tokens changed by other processes are read into the token cache (default 1000 ms). */
  tokenRefreshMs?: number;
  /** Where the token cache says it cannot read the tokens. */
  logger?: Logger;
}

/**
 * The API plugin for `POST /v1/evidence`: an appliance, with its token, hands in `{bundleId,
 * sha256}`; the digest is submitted to the OtsPolicy's calendars and the proof stored (201), or the
 * stored one is reported (200). 401 without a valid token, 422 naming the wrong field, 409 when the
 * desired state has no OtsPolicy or the bundle is known with another hash, 503 with Retry-After
 * while the store is unavailable. Tokens are looked up in memory as check-ins' are (token-cache.ts):
 * a submission costs no query for its token, and a rotated token is refused as a check-in is.
 */
export function evidencePlugin(options: EvidenceRouteOptions): (app: FastifyInstance) => void {
  const count = (outcome: EvidenceMetricOutcome) => options.metrics?.submission(outcome);
  return (app) => {
    const tokens = new TokenCache(options.store, { refreshMs: options.tokenRefreshMs, log: options.logger });
    void tokens.start();
    app.addHook('onClose', async () => tokens.stop());
    app.post('/v1/evidence', async (request, reply) => {
      const token = bearerToken(request.headers.authorization);
      if (!token) {
        count('unauthorized');
        return sendError(reply, 'Unauthorized', 'send the appliance token as `Authorization: Bearer <token>`');
      }
      try {
        const appliance = await tokens.applianceFor(token);
        if (!appliance) {
          count('unauthorized');
          return sendError(reply, 'Unauthorized', 'unknown or rotated token: issue one with `muster appliance token ID`');
        }
        const read = readEvidenceRequest(request.body);
        if (!read.ok) {
          count('invalid');
          return reply.code(422).send({ error: 'Unprocessable', field: read.field, message: read.message });
        }
        const policy = options.policy();
        if (!policy) {
          count('no-policy');
          return sendError(reply, 'Conflict', 'the desired state has no OtsPolicy: evidence cannot be timestamped until the fleet repository declares one');
        }
        const { bundleId, sha256 } = read.value;
        const client = options.calendars.forPolicy(policy.calendars);
        const outcome = await submitEvidence({ store: options.store, client }, { bundleId: storedBundleId(appliance, bundleId), sha256 }, options.now());
        if (outcome.kind === 'conflict') {
          count('conflict');
          return sendError(reply, 'Conflict', `bundle ${bundleId} is already stored with another sha256 (${outcome.proof.bundleSha256})`);
        }
        count(outcome.kind === 'known' ? 'known' : outcome.proof.status === 'pending' ? 'pending' : 'failed');
        return answer(reply, outcome.kind === 'created' ? 201 : 200, bundleId, outcome.proof);
      } catch (err) {
        if (!(err instanceof StoreUnavailableError)) throw err;
        count('unavailable');
        return sendError(reply, 'Unavailable', `the store is unavailable (${err.message}); retry later`, { 'retry-after': String(RETRY_AFTER_SECONDS) });
      }
    });
  };
}

/** The proof as the appliance sees it: its own bundle id, the status and each calendar's last answer. */
function answer(reply: FastifyReply, status: 200 | 201, bundleId: string, proof: ProofRow) {
  return reply.code(status).send({
    bundleId,
    sha256: proof.bundleSha256,
    status: proof.status,
    createdAt: proof.createdAt,
    upgradedAt: proof.upgradedAt,
    calendars: proof.calendars,
  });
}
