import { describe, expect, it } from 'vitest';
import type { RolloutWindowSpec } from '../../controller/desired/types.js';
import { isWindowOpen } from '../../controller/reconcile/window.js';

const win = (days: RolloutWindowSpec['days'], start: string, end: string, timeZone = 'Europe/Berlin'): RolloutWindowSpec => {
  const minutes = (t: string) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
  return { days, startMinute: minutes(start), endMinute: minutes(end), timeZone };
};
const weekdays = win(['mon', 'tue', 'wed', 'thu', 'fri'], '09:00', '17:00');
const fridayNight = win(['fri'], '22:00', '05:00');

describe('rollout windows', () => {
  // 2026-03-06 is a Friday; Berlin is UTC+1 in March before the 29th, UTC+2 after.
  const rows: { name: string; given: { window: RolloutWindowSpec; now: string }; want: boolean }[] = [
    { name: 'open inside a weekday window', given: { window: weekdays, now: '2026-03-04T10:00:00Z' }, want: true },
    { name: 'open at its start', given: { window: weekdays, now: '2026-03-04T08:00:00Z' }, want: true },
    { name: 'closed at its end (end is exclusive)', given: { window: weekdays, now: '2026-03-04T16:00:00Z' }, want: false },
    { name: 'closed on a day it does not list', given: { window: weekdays, now: '2026-03-07T10:00:00Z' }, want: false },
    { name: 'local to its time zone, not UTC', given: { window: weekdays, now: '2026-03-04T07:30:00Z' }, want: false },
    { name: 'follows daylight saving time', given: { window: weekdays, now: '2026-04-01T07:30:00Z' }, want: true },
    { name: 'an overnight window is open on its own evening', given: { window: fridayNight, now: '2026-03-06T22:30:00Z' }, want: true },
    { name: 'an overnight window belongs to the day it starts: open Saturday 02:00', given: { window: fridayNight, now: '2026-03-07T01:00:00Z' }, want: true },
    { name: 'an overnight window closes at its end the next morning', given: { window: fridayNight, now: '2026-03-07T04:00:00Z' }, want: false },
    { name: 'an overnight window is closed before its start', given: { window: fridayNight, now: '2026-03-06T20:00:00Z' }, want: false },
    { name: 'an overnight window does not open the morning of its own day', given: { window: fridayNight, now: '2026-03-06T02:00:00Z' }, want: false },
    { name: 'start equal to end runs a whole day from start', given: { window: win(['fri'], '12:00', '12:00', 'UTC'), now: '2026-03-07T11:59:00Z' }, want: true },
    { name: 'an unknown time zone keeps it closed', given: { window: win(['fri'], '00:00', '23:59', 'Mars/Olympus'), now: '2026-03-06T12:00:00Z' }, want: false },
  ];
  for (const row of rows) {
    it(row.name, () => expect(isWindowOpen(row.given.window, Date.parse(row.given.now))).toBe(row.want));
  }
});
