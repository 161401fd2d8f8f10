import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Whether `header` (GitHub's `X-Hub-Signature-256: sha256=<hex>`) is the HMAC-SHA256 of the raw body under
 * `secret`. Compared in constant time; any malformed header is simply not valid.
 */
export function validWebhookSignature(secret: string, body: Buffer, header: string | undefined): boolean {
  if (!header?.startsWith('sha256=')) return false;
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}
