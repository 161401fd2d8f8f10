/**
 * The page's own script (served as /assets/page.js): htmx refreshes the live region; this only says
 * when that stopped working, so stale figures are never shown as current. It writes text, never markup.
 */
export const PAGE_SCRIPT = `(function () {
  'use strict';
  var banner = document.getElementById('connection');
  var lastGood = new Date();
  var since = null;
  function time(d) { return d.toLocaleTimeString([], { hour12: false }); }
  function stale(what) {
    since = since || new Date();
    banner.textContent = what + ' since ' + time(since) + ': the figures below are from ' + time(lastGood) +
      ' and may be out of date. Retrying every few seconds.';
    banner.hidden = false;
    document.body.classList.add('stale');
  }
  function current() {
    lastGood = new Date();
    since = null;
    banner.hidden = true;
    banner.textContent = '';
    document.body.classList.remove('stale');
  }
  document.body.addEventListener('htmx:afterRequest', function (e) { if (e.detail.successful) current(); });
  document.body.addEventListener('htmx:sendError', function () { stale('Controller unreachable'); });
  document.body.addEventListener('htmx:timeout', function () { stale('Controller not answering'); });
  document.body.addEventListener('htmx:responseError', function (e) {
    var status = e.detail.xhr.status;
    if (status === 401) {
      banner.textContent = 'Signed out (the credential was rotated or the sign-in expired): reload the page to sign in again.';
      banner.hidden = false;
      document.body.classList.add('stale');
    } else if (status === 503) {
      stale('Controller unavailable (it cannot read its store, or is restarting)');
    } else {
      stale('Controller answered ' + status);
    }
  });
})();
`;
