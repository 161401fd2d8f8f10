import type { FastifyReply } from 'fastify';
import type { ServerResponse } from 'node:http';

/** The `error` codes the API answers with, each with its HTTP status. */
export const API_ERRORS = {
  BadRequest: 400,
  Unauthorized: 401,
  Forbidden: 403,
  NotFound: 404,
  Conflict: 409,
  PayloadTooLarge: 413,
  UnsupportedMediaType: 415,
  Unprocessable: 422,
  Unavailable: 503,
  Internal: 500,
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

/** Sends `{error, message}` with the code's status; the message says what was wrong and what to do. */
export function sendError(reply: FastifyReply, error: ApiErrorCode, message: string, headers: Record<string, string> = {}) {
  return reply.code(API_ERRORS[error]).headers(headers).send({ error, message });
}

/** sendError for a route served outside fastify, on Node's own response object. */
export function writeError(response: ServerResponse, error: ApiErrorCode, message: string, headers: Record<string, string> = {}): void {
  writeJson(response, API_ERRORS[error], JSON.stringify({ error, message }), headers);
}

/** Answers with a JSON text already serialized, on Node's own response object. */
export function writeJson(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { ...headers, 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body) }).end(body);
}

/** What every JSON answer is sent as, as fastify sends its own. */
const JSON_TYPE = 'application/json; charset=utf-8';
