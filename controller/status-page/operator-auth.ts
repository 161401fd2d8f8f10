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

/** Why a request was sent to sign in: no credential, or one that does not open the page. */
export type SignInProblem = 'missing' | 'invalid';

/** What a refused page request gets: a way to the sign-in form. */
export type RefusePage = (request: FastifyRequest, reply: FastifyReply, problem: SignInProblem) => unknown;

/** Whether a request is a person's browser asking for a page (not a script, not the page's own refresh). */
function wantsPage(request: FastifyRequest): boolean {
  return request.headers['hx-request'] !== 'true' && /\btext\/html\b/.test(request.headers.accept ?? '');
}

/**
 * A pre-handler that lets a request through only with a valid operator credential (an appliance
 * token never is one). Refused: a browser asking for a page is sent to the sign-in form (`refusePage`);
 * everything else — `/v1/…`, scripts, the page's own live refreshes — gets a 401 `{error, message}`.
 * Never any data.
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
    if (refusePage && wantsPage(request)) return refusePage(request, reply, credential ? 'invalid' : 'missing');
    const problem = credential ? 'that credential is not valid (unknown, rotated, or not an operator credential)' : 'no operator credential';
    return sendError(reply, 'Unauthorized', `${problem}: send one as \`Authorization: Bearer <credential>\` (issue it with \`muster operator token NAME\`)`);
  };
}

/** The answer while the store cannot be read: 503, and the page keeps its figures and says why. */
export function sendUnavailable(reply: FastifyReply, err: Error) {
  return sendError(reply, 'Unavailable', `the store is unavailable (${err.message}); retry later`, { 'retry-after': '5' });
}
