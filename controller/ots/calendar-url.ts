/**
 * Which calendars may be contacted: the OtsPolicy's list, normalized so that a proof's calendar URI
 * can be compared with it; `https://` anywhere, `http://` only on the loopback interface.
 */

export type CalendarUrl = { ok: true; url: string } | { ok: false; reason: string };

/**
 * The canonical form of a calendar base URL (lowercase scheme and host, no trailing slash), or why
 * it may not be contacted: not http(s), plain http off loopback, credentials, query or fragment.
 */
export function normalizeCalendarUrl(raw: string): CalendarUrl {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { ok: false, reason: `not a URL: ${JSON.stringify(raw)}` };
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return { ok: false, reason: `${u.protocol}// is not https://` };
  if (u.protocol === 'http:' && !isLoopback(u.hostname)) {
    return { ok: false, reason: `plain http:// is allowed only on loopback, not ${u.hostname}` };
  }
  if (u.username || u.password) return { ok: false, reason: 'a calendar URL may not carry credentials' };
  if (u.search || u.hash) return { ok: false, reason: 'a calendar URL may not carry a query or fragment' };
  const path = u.pathname.replace(/\/+$/, '');
  return { ok: true, url: `${u.protocol}//${u.host}${path}` };
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** The allow-list split into calendars that may be contacted and entries refused, with reasons. */
export function allowedCalendars(list: readonly string[]): { allowed: string[]; refused: { url: string; reason: string }[] } {
  const allowed: string[] = [];
  const refused: { url: string; reason: string }[] = [];
  for (const url of list) {
    const n = normalizeCalendarUrl(url);
    if (!n.ok) refused.push({ url, reason: n.reason });
    else if (!allowed.includes(n.url)) allowed.push(n.url);
  }
  return { allowed, refused };
}
