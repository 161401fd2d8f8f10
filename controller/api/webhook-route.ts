import type { FastifyInstance } from 'fastify';
import { sendError } from './errors.js';
import { validWebhookSignature } from './webhook-signature.js';

/**
 * `POST /v1/hooks/git`: a push notification (GitHub's scheme) that makes the git source fetch at once.
 * Accepted only with a valid `X-Hub-Signature-256` over the raw body.
 */
export function registerWebhookRoute(app: FastifyInstance, secret: string, trigger: () => void): void {
  void app.register(async (scope) => {
    // The signature covers the exact bytes sent, so this route keeps the body raw.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.post('/v1/hooks/git', async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const signature = request.headers['x-hub-signature-256'];
      if (!validWebhookSignature(secret, body, typeof signature === 'string' ? signature : undefined)) {
        return sendError(reply, 'Unauthorized', 'missing or invalid X-Hub-Signature-256 for this webhook secret');
      }
      trigger();
      return reply.code(202).send({ status: 'fetch scheduled' });
    });
  });
}
