import { html, type SafeHtml } from './html.js';

/** The sections in the header, each a URL a person can paste. */
const SECTIONS = [
  { href: '/', label: 'Fleet' },
  { href: '/appliances', label: 'Appliances' },
  { href: '/findings', label: 'Findings' },
  { href: '/source', label: 'Source' },
  { href: '/proofs', label: 'Proofs' },
];

/** How often the live region asks for fresh figures, and how long it waits for an answer. */
export const REFRESH_SECONDS = 2;
const REQUEST_TIMEOUT_MS = 5000;

// Indicator styles off: htmx would inject an inline <style>, which the page's CSP forbids.
const HTMX_CONFIG = JSON.stringify({ includeIndicatorStyles: false, historyCacheSize: 0, allowEval: false, timeout: REQUEST_TIMEOUT_MS });

/** Content-Security-Policy of every page: only what the controller itself serves, no inline code. */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export interface PageParts {
  title: string;
  /** The section the page belongs to, by its href. */
  section: string;
  /** Above the live region: the heading and anything a person types into (filters), never refreshed. */
  head: SafeHtml;
  /** The live region's content. */
  live: SafeHtml;
  /** The URL the live region refreshes from (the page's own, with its query). */
  url: string;
}

/**
 * The live region alone: what the page's refreshes receive (htmx swaps it in place, keeping focus
 * and the filter form untouched).
 */
export function liveRegion(parts: Pick<PageParts, 'live' | 'url'>): SafeHtml {
  return html`<div id="live" hx-get="${parts.url}" hx-trigger="every ${REFRESH_SECONDS}s" hx-swap="outerHTML">${parts.live}</div>`;
}

/** A whole page: header with the sections, the connection banner, the heading and the live region. */
export function page(parts: PageParts): SafeHtml {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content="${HTMX_CONFIG}">
<title>${parts.title} · Muster</title>
<link rel="icon" href="data:,"><link rel="stylesheet" href="/assets/page.css">
<script src="/assets/htmx.min.js" defer></script><script src="/assets/page.js" defer></script>
</head><body>
<a class="skip" href="#main">Skip to content</a>
<header><a class="brand" href="/">Muster</a>
<nav aria-label="Sections">${SECTIONS.map((s) => html`<a href="${s.href}"${s.href === parts.section ? html` aria-current="page"` : ''}>${s.label}</a>`)}</nav>
<form method="post" action="/signout"><button type="submit">Sign out</button></form></header>
<p id="connection" role="alert" hidden></p>
<main id="main">${parts.head}${liveRegion(parts)}</main>
</body></html>`;
}

/** A page without the header: sign-in. */
export function barePage(title: string, body: SafeHtml): SafeHtml {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Muster</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/assets/page.css"></head>
<body><main id="main">${body}</main></body></html>`;
}
