import type { IncomingMessage } from 'node:http';
import secureJson from 'secure-json-parse';
import type { ApiErrorCode } from './errors.js';

/** What a refused body is told, for fastify's routes (server.ts) and the check-in route alike. */
export const BODY_REFUSALS = {
  tooLarge: (limit: number) => `request body is larger than ${limit} bytes`,
  notJson: 'send the body as application/json',
  invalid: (detail: string) => `request body is not valid JSON: ${detail}`,
} as const;

/** A request body read and parsed, or the API error that refuses it. */
export type JsonBody = { ok: true; value: unknown } | { ok: false; error: ApiErrorCode; message: string };

// As fastify's default JSON parser: a body carrying `__proto__` or `constructor.prototype` is refused.
const PARSE_OPTIONS = { protoAction: 'error', constructorAction: 'error' } as const;

/**
 * Reads a JSON request body of at most `limit` bytes, the way fastify's body parser does for its routes:
 * 413 past the limit (announced or received), 415 for a body that is not `application/json`, 400 for
 * an empty body under that type or text that is not JSON. No body and no content type reads as
 * `undefined` (the schema then says what is missing). Resolves to null when the client went away.
 */
export function readJsonBody(request: IncomingMessage, limit: number): Promise<JsonBody | null> {
  const type = request.headers['content-type'];
  const announced = Number(request.headers['content-length']);
  if (announced > limit) return Promise.resolve(tooLarge(limit));
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received <= limit) return void chunks.push(chunk);
      request.removeListener('data', onData);
      resolve(tooLarge(limit));
    };
    request.on('data', onData);
    request.once('end', () => {
      if (received > limit) return;
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, received);
      resolve(parsed(type, body));
    });
    // A client gone mid-body ends with 'error' or only 'close'; after 'end' the body is already resolved.
    request.once('error', () => resolve(null));
    request.once('close', () => resolve(null));
  });
}

function parsed(type: string | undefined, body: Buffer): JsonBody {
  if (type === undefined && body.length === 0) return { ok: true, value: undefined };
  if (!isJson(type)) return { ok: false, error: 'UnsupportedMediaType', message: BODY_REFUSALS.notJson };
  if (body.length === 0) return { ok: false, error: 'BadRequest', message: 'request body is empty; send the check-in as JSON' };
  try {
    return { ok: true, value: secureJson.parse(body.toString('utf8'), undefined, PARSE_OPTIONS) };
  } catch (err) {
    return { ok: false, error: 'BadRequest', message: BODY_REFUSALS.invalid((err as Error).message) };
  }
}

/** `application/json`, with or without parameters such as `charset=utf-8`. */
function isJson(type: string | undefined): boolean {
  if (type === undefined) return false;
  const semicolon = type.indexOf(';');
  return (semicolon === -1 ? type : type.slice(0, semicolon)).trim().toLowerCase() === 'application/json';
}

function tooLarge(limit: number): JsonBody {
  return { ok: false, error: 'PayloadTooLarge', message: BODY_REFUSALS.tooLarge(limit) };
}
