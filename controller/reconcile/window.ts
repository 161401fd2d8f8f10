import type { RolloutWindowSpec } from '../desired/types.js';
import type { Weekday } from '../desired/schema/rollout.js';

const WEEKDAY_ORDER: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const formatters = new Map<string, Intl.DateTimeFormat | null>();

// Building an Intl formatter costs far more than using one, so one is kept per time zone. This is
// memoization of a pure function of the zone name: it cannot change any result.
function formatterFor(timeZone: string): Intl.DateTimeFormat | null {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    } catch {
      formatter = null;
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The local weekday and minute after midnight of an instant in a time zone; null for an unknown zone. */
export function localClock(ms: number, timeZone: string): { weekday: Weekday; minute: number } | null {
  const formatter = formatterFor(timeZone);
  if (!formatter) return null;
  let weekday: Weekday | undefined;
  let hour = 0;
  let minute = 0;
  for (const part of formatter.formatToParts(ms)) {
    if (part.type === 'weekday') weekday = part.value.toLowerCase().slice(0, 3) as Weekday;
    else if (part.type === 'hour') hour = Number(part.value);
    else if (part.type === 'minute') minute = Number(part.value);
  }
  return weekday && WEEKDAY_ORDER.includes(weekday) ? { weekday, minute: hour * 60 + minute } : null;
}

/**
 * Whether new appliances may be assigned at `nowMs`. The window is local to its time zone and `end`
 * is exclusive; when `end` ≤ `start` it runs overnight and belongs to the day it starts, so a
 * Friday 22:00–05:00 window is open on Saturday at 02:00. An unknown time zone keeps it closed.
 */
export function isWindowOpen(window: RolloutWindowSpec, nowMs: number): boolean {
  const clock = localClock(nowMs, window.timeZone);
  if (!clock) return false;
  const today = WEEKDAY_ORDER.indexOf(clock.weekday);
  const yesterday = WEEKDAY_ORDER[(today + 6) % 7] as Weekday;
  const { startMinute, endMinute } = window;
  if (endMinute > startMinute) {
    return window.days.includes(clock.weekday) && clock.minute >= startMinute && clock.minute < endMinute;
  }
  return (window.days.includes(clock.weekday) && clock.minute >= startMinute) || (window.days.includes(yesterday) && clock.minute < endMinute);
}

/** `mon,tue 22:00–05:00 Europe/Berlin`, for messages. */
export function formatWindow(window: RolloutWindowSpec): string {
  const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  return `${window.days.join(',')} ${hhmm(window.startMinute)}–${hhmm(window.endMinute)} ${window.timeZone}`;
}
