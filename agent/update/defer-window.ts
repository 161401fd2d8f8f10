/** A weekly window during which the appliance must not be updated, in its local time. */
export interface DeferWindow {
  /** Days the window starts on, 0 = Sunday … 6 = Saturday. */
  days: ReadonlySet<number>;
  /** Minutes after local midnight; `end` is exclusive and may be 1440 (24:00). */
  start: number;
  end: number;
  text: string;
}

const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/**
 * Parses `--defer-window`: comma-separated windows, each `DAYS HH:MM-HH:MM`, where DAYS is a day
 * (`sat`), a range (`mon-fri`, `fri-mon` wraps) or `daily`. A window whose end is not after its
 * start runs overnight and belongs to the day it starts. Bad text is returned as errors.
 */
export function parseDeferWindows(text: string): { windows: DeferWindow[] } | { errors: string[] } {
  const windows: DeferWindow[] = [];
  const errors: string[] = [];
  for (const part of text.split(',').map((p) => p.trim())) {
    const parsed = parseOne(part);
    if (typeof parsed === 'string') errors.push(`defer window "${part}": ${parsed}`);
    else windows.push(parsed);
  }
  return errors.length ? { errors } : { windows };
}

function parseOne(text: string): DeferWindow | string {
  const match = /^([a-z]+(?:-[a-z]+)?)\s+([0-9]{1,2}):([0-9]{2})-([0-9]{1,2}):([0-9]{2})$/i.exec(text);
  if (!match) return 'expected DAYS HH:MM-HH:MM, e.g. "mon-fri 08:00-18:00"';
  const [daySpec = '', sh, sm, eh, em] = match.slice(1);
  const days = parseDays(daySpec.toLowerCase());
  if (!days) return `unknown days "${daySpec}" (use mon…sun, a range like mon-fri, or daily)`;
  const start = Number(sh) * 60 + Number(sm);
  const end = Number(eh) * 60 + Number(em);
  if (Number(sm) > 59 || Number(em) > 59 || start >= 1440 || end > 1440) return 'times run from 00:00 to 24:00';
  if (start === end) return 'the window is empty (start equals end)';
  return { days, start, end, text };
}

function parseDays(spec: string): Set<number> | null {
  if (spec === 'daily') return new Set([0, 1, 2, 3, 4, 5, 6]);
  const [from, to = from] = spec.split('-') as [string, string?];
  const a = DAY_NAMES.indexOf(from);
  const b = DAY_NAMES.indexOf(to);
  if (a < 0 || b < 0) return null;
  const days = new Set<number>();
  for (let d = a; ; d = (d + 1) % 7) {
    days.add(d);
    if (d === b) break;
  }
  return days;
}

/** Local wall-clock day (0 = Sunday) and minute of the day (with its fraction) at `now` in `timeZone`. */
export function localTime(now: number, timeZone: string): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(now));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '0';
  const day = DAY_NAMES.indexOf(get('weekday').toLowerCase().slice(0, 3));
  const minute = Number(get('hour')) * 60 + Number(get('minute')) + (Number(get('second')) + (now % 1000) / 1000) / 60;
  return { day, minute };
}

/** When the window holding `now` closes, or null when `now` is outside it. */
function windowEnd(window: DeferWindow, now: number, timeZone: string): number | null {
  const { day, minute } = localTime(now, timeZone);
  // Minutes are counted on the local wall clock; across a DST change the end is off by that shift.
  const after = (minutes: number) => now + Math.round(minutes * 60_000);
  if (window.end > window.start) {
    return window.days.has(day) && minute >= window.start && minute < window.end ? after(window.end - minute) : null;
  }
  if (window.days.has(day) && minute >= window.start) return after(1440 - minute + window.end);
  if (window.days.has((day + 6) % 7) && minute < window.end) return after(window.end - minute);
  return null;
}

/**
 * The time until which the appliance defers updates: null outside every window; inside, the end of
 * the window — following on into any window that opens exactly as this one closes.
 */
export function deferUntil(windows: readonly DeferWindow[], now: number, timeZone: string): number | null {
  let until: number | null = null;
  let at = now;
  // Chained windows (mon-fri 08:00-18:00, mon-fri 18:00-24:00) cover a week at most.
  for (let i = 0; i < 8 * windows.length + 1; i++) {
    const ends = windows.map((w) => windowEnd(w, at, timeZone)).filter((e): e is number => e !== null && e > at);
    if (!ends.length) break;
    until = Math.max(...ends);
    at = until;
  }
  return until;
}

/** The zone the process runs in: an appliance's local time. */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}
