import { parseCookie, stringifySetCookie } from 'cookie';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { bearerToken } from '../api/bearer.js';
import { sendError } from '../api/errors.js';
import { StoreUnavailableError, type Store } from '../store/store.js';

/** The cookie the sign-in form sets: the operator credential itself, HttpOnly so page scripts never see it. */
export const OPERATOR_COOKIE = 'muster_operator';
/** How long a sign-in lasts in the browser. */
const SIGN_IN_SECONDS = 12 * 60 * 60;

declare module 'fastify' {
  interface FastifyRequest {
    /** The operator a status-page request was authenticated as. */
    operator?: string;
  }
}

/** The credential a request carries: `Authorization: Bearer` first, then the sign-in cookie; null when neither. */
export function presentedCredential(request: FastifyRequest): string | null {
  const bearer = bearerToken(request.headers.authorization);
  if (bearer) return bearer;
  const cookies = request.headers.cookie ? parseCookie(request.headers.cookie) : {};
  return cookies[OPERATOR_COOKIE] ?? null;
}

/** The Set-Cookie value that signs a browser in (`secure` when the controller serves TLS itself). */
export function signInCookie(token: string, secure: boolean): string {
  // Lax, not Strict: a link pasted into a chat is a cross-site navigation, and should open signed in.
  return stringifySetCookie({ name: OPERATOR_COOKIE, value: token, httpOnly: true, sameSite: 'lax', path: '/', maxAge: SIGN_IN_SECONDS, secure });
}

/** The Set-Cookie value that signs a browser out. */
export function signOutCookie(secure: boolean): string {
  return stringifySetCookie({ name: OPERATOR_COOKIE, value: '', httpOnly: true, sameSite: 'lax', path: '/', maxAge: 0, secure });
}

/** What a refused page request gets: the sign-in page, answered with 401. */
export type RefusePage = (request: FastifyRequest, reply: FastifyReply, problem: string | null) => unknown;

/**
 * A pre-handler that lets a request through only with a valid operator credential (an appliance
 * token never is one). Refused: API-style requests (`/v1/…`, the page's own live refreshes) get a
 * 401 `{error, message}`; a person's page request gets the sign-in page with 401. Never any data.
 */
export function requireOperator(store: Store, refusePage?: RefusePage): preHandlerAsyncHookHandler {
  return async function operatorOnly(request, reply) {
    const credential = presentedCredential(request);
    let operator: string | null;
    try {
      operator = credential ? await store.operatorForToken(credential) : null;
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      return sendUnavailable(reply, err);
    }
    if (operator) {
      request.operator = operator;
      return;
    }
    const problem = credential ? 'that credential is not valid (unknown, rotated, or not an operator credential)' : null;
    if (refusePage && request.headers['hx-request'] !== 'true') return refusePage(request, reply, problem);
    return sendError(
      reply,
      'Unauthorized',
      `${problem ?? 'no operator credential'}: send one as \`Authorization: Bearer <credential>\` (issue it with \`muster operator token NAME\`)`,
    );
  };
}

/** The answer while the store cannot be read: 503, and the page keeps its figures and says why. */
export function sendUnavailable(reply: FastifyReply, err: Error) {
  return sendError(reply, 'Unavailable', `the store is unavailable (${err.message}); retry later`, { 'retry-after': '5' });
}
