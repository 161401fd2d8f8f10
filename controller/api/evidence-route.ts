import type { FastifyReply } from 'fastify';
import type { OtsPolicy } from '../desired/types.js';
import { readEvidenceRequest, storedBundleId } from '../ots/lifecycle/evidence-request.js';
import type { PolicyCalendars } from '../ots/lifecycle/policy-calendars.js';
import { submitEvidence } from '../ots/lifecycle/submit-evidence.js';
import { StoreUnavailableError, type ProofRow, type Store } from '../store/store.js';
import { authenticate } from './authenticate.js';
import { RETRY_AFTER_SECONDS } from './checkin-route.js';
import { sendError } from './errors.js';
import type { ApiPlugin } from './server.js';

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
}

/**
 * The API plugin for `POST /v1/evidence`: an appliance, with its token, hands in `{bundleId,
 * sha256}`; the digest is submitted to the OtsPolicy's calendars and the proof stored (201), or the
 * stored one is reported (200). 401 without a valid token, 422 naming the wrong field, 409 when the
 * desired state has no OtsPolicy or the bundle is known with another hash, 503 with Retry-After
 * while the store is unavailable. Tokens are looked up in memory as check-ins' are (token-cache.ts):
 * a submission costs no query for its token, and a rotated token is refused as a check-in is.
 */
export function evidencePlugin(options: EvidenceRouteOptions): ApiPlugin {
  const count = (outcome: EvidenceMetricOutcome) => options.metrics?.submission(outcome);
  return (app, { tokens }) => {
    app.post('/v1/evidence', async (request, reply) => {
      try {
        const auth = await authenticate(tokens, request.headers.authorization);
        if ('refusal' in auth) {
          count('unauthorized');
          return sendError(reply, 'Unauthorized', auth.refusal);
        }
        const { appliance } = auth;
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
