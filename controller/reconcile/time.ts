/**
 * Times inside reconcile are epoch milliseconds; the plan and the State document carry ISO strings.
 * These two conversions are the only place that crosses between them.
 */

const DAY_MS = 86_400_000;

/**
 * Epoch ms of an ISO time; null for null, undefined or an unparseable string. Exactly what
 * `Date.parse` gives: a pass reads a few hundred thousand times, nearly all written by
 * `toISOString` (`2026-01-31T12:00:00.000Z`, or without the milliseconds), so those are read
 * field by field and anything else goes to `Date.parse`.
 */
export function toMs(iso: string | null | undefined): number | null {
  if (iso == null) return null;
  const fast = canonicalMs(iso);
  if (fast === fast) return fast;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

// The last instants formatted, by their low bits. A pass formats the same few instants again and
// again (an assignment batch's time, its deadline) in reasons it keeps for thousands of
// appliances; one string each is shared by all of them. A memo of a pure function: it cannot
// change a result.
const ISO_SLOTS = 256;
const isoKeys = new Float64Array(ISO_SLOTS).fill(NaN);
const isoTexts = new Array<string>(ISO_SLOTS).fill('');

/** The ISO string (UTC, milliseconds) of an epoch ms. */
export function toIso(ms: number): string {
  const slot = ms & (ISO_SLOTS - 1);
  if (isoKeys[slot] === ms) return isoTexts[slot] as string;
  const text = new Date(ms).toISOString();
  isoKeys[slot] = ms;
  isoTexts[slot] = text;
  return text;
}

/**
 * The ISO string of `ms`, which was read from `text`: the observed text itself when it is already
 * in exactly that form, so that wording a reported time makes no new string.
 */
export function toIsoFrom(text: string | null | undefined, ms: number): string {
  return text != null && text.length === 24 && canonicalMs(text) === ms ? text : toIso(ms);
}

// `YYYY-MM-DDTHH:mm:ss.sssZ` or `YYYY-MM-DDTHH:mm:ssZ` with every field in range, read without
// allocating; NaN for anything else (which `Date.parse` then decides, so results never differ).
function canonicalMs(s: string): number {
  const length = s.length;
  if ((length !== 24 && length !== 20) || s.charCodeAt(length - 1) !== 90 /* Z */) return NaN;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return NaN;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  let milli = 0;
  if (length === 24) {
    if (s.charCodeAt(19) !== 46 /* . */) return NaN;
    milli = digits(s, 20, 3);
  }
  // NaN fails every comparison, so a non-digit anywhere ends here too.
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month) && hour <= 23 && minute <= 59 && second <= 59 && milli >= 0)) return NaN;
  return daysFromCivil(year, month, day) * DAY_MS + hour * 3_600_000 + minute * 60_000 + second * 1000 + milli;
}

function digits(s: string, from: number, count: number): number {
  let value = 0;
  for (let k = from; k < from + count; k++) {
    const d = s.charCodeAt(k) - 48;
    if (d < 0 || d > 9) return NaN;
    value = value * 10 + d;
  }
  return value;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}
