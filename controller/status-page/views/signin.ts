import { html, type SafeHtml } from '../html.js';
import { barePage } from '../layout.js';

/** Where to go after signing in: a path on this server only, never another site. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

/** The sign-in form; `problem` says why the last attempt or the request was refused. */
export function signInPage(next: string, problem: string | null): SafeHtml {
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
