import { html, type SafeHtml } from '../html.js';
import { barePage } from '../layout.js';
import type { SignInProblem } from '../operator-auth.js';

const PROBLEMS: Record<SignInProblem, string | null> = {
  missing: null,
  invalid: 'That credential is not valid: it is unknown, was rotated, or is not an operator credential.',
};

/** The sign-in form's URL: where to go afterwards, and why the browser was sent there. */
export function signInUrl(next: string, problem: SignInProblem = 'missing'): string {
  const query = new URLSearchParams({ next: safeNext(next) });
  if (problem !== 'missing') query.set('problem', problem);
  return `/signin?${query.toString()}`;
}

/** Where to go after signing in: a path on this server only, never another site. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

/** The sign-in form; `problem` says why the last attempt or the request was refused. */
export function signInPage(next: string, problemCode: unknown): SafeHtml {
  const problem = problemCode === 'invalid' ? PROBLEMS.invalid : null;
  return barePage(
    'Sign in',
    html`<div class="signin"><h1>Muster status page</h1>
<p>Sign in with an operator credential. An administrator issues one with <code>muster operator token NAME</code>.</p>
${problem ? html`<p class="errors" role="alert" id="signin-problem">${problem}</p>` : ''}
<form method="post" action="/signin">
<input type="hidden" name="next" value="${safeNext(next)}">
<label for="credential">Operator credential<input id="credential" name="credential" type="password" autocomplete="current-password" required${problem ? html` aria-describedby="signin-problem"` : ''}></label>
<button class="btn" type="submit">Sign in</button></form></div>`,
  );
}
