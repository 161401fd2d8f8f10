import { describe, expect, it } from 'vitest';
import { deferUntil, parseDeferWindows, type DeferWindow } from '../../agent/update/defer-window.js';

function windows(text: string): DeferWindow[] {
  const parsed = parseDeferWindows(text);
  if ('errors' in parsed) throw new Error(parsed.errors.join('; '));
  return parsed.windows;
}

const at = (iso: string) => Date.parse(iso);

describe('deferral windows', () => {
  // 2026-02-02 is a Monday; 2026-02-06 a Friday.
  it.each([
    { name: 'inside a weekday window', given: { text: 'mon-fri 08:00-18:00', now: '2026-02-02T09:30:00Z', zone: 'UTC' }, want: '2026-02-02T18:00:00.000Z' },
    { name: 'before it opens', given: { text: 'mon-fri 08:00-18:00', now: '2026-02-02T07:59:59Z', zone: 'UTC' }, want: null },
    { name: 'the end is exclusive', given: { text: 'mon-fri 08:00-18:00', now: '2026-02-02T18:00:00Z', zone: 'UTC' }, want: null },
    { name: 'the start is inclusive', given: { text: 'mon-fri 08:00-18:00', now: '2026-02-02T08:00:00Z', zone: 'UTC' }, want: '2026-02-02T18:00:00.000Z' },
    { name: 'on a weekend day', given: { text: 'mon-fri 08:00-18:00', now: '2026-02-07T09:00:00Z', zone: 'UTC' }, want: null },
    {
      name: 'in the appliance’s local time',
      given: { text: 'mon-fri 08:00-18:00', now: '2026-02-02T16:30:00Z', zone: 'Europe/Berlin' },
      want: '2026-02-02T17:00:00.000Z',
    },
    {
      name: 'outside it in local time though inside in UTC',
      given: { text: 'mon-fri 08:00-18:00', now: '2026-02-02T17:30:00Z', zone: 'Europe/Berlin' },
      want: null,
    },
    {
      name: 'an overnight window belongs to the day it starts',
      given: { text: 'fri 22:00-05:00', now: '2026-02-07T02:00:00Z', zone: 'UTC' },
      want: '2026-02-07T05:00:00.000Z',
    },
    { name: 'an overnight window the next night', given: { text: 'fri 22:00-05:00', now: '2026-02-08T02:00:00Z', zone: 'UTC' }, want: null },
    {
      name: 'a window wrapping the week',
      given: { text: 'sat-mon 00:00-24:00', now: '2026-02-08T12:00:00Z', zone: 'UTC' },
      want: '2026-02-10T00:00:00.000Z',
    },
    {
      name: 'windows that follow on are one deferral',
      given: { text: 'mon-fri 08:00-12:00, mon-fri 12:00-18:00', now: '2026-02-02T09:00:00Z', zone: 'UTC' },
      want: '2026-02-02T18:00:00.000Z',
    },
    {
      name: 'the second of several windows',
      given: { text: 'mon-fri 08:00-10:00, sat 10:00-12:00', now: '2026-02-07T11:00:00Z', zone: 'UTC' },
      want: '2026-02-07T12:00:00.000Z',
    },
  ])('$name', ({ given, want }) => {
    const until = deferUntil(windows(given.text), at(given.now), given.zone);
    expect(until === null ? null : new Date(until).toISOString()).toBe(want);
  });

  it.each([
    { name: 'no times', given: 'mon-fri', want: 'expected DAYS HH:MM-HH:MM' },
    { name: 'an unknown day', given: 'mon-fry 08:00-18:00', want: 'unknown days "mon-fry"' },
    { name: 'an hour past 24', given: 'mon 08:00-25:00', want: 'times run from 00:00 to 24:00' },
    { name: 'an empty window', given: 'mon 08:00-08:00', want: 'the window is empty' },
  ])('rejects $name', ({ given, want }) => {
    const parsed = parseDeferWindows(given);
    expect('errors' in parsed && parsed.errors.join('; ')).toContain(want);
  });

  it('accepts daily and 24:00', () => {
    expect(deferUntil(windows('daily 20:00-24:00'), at('2026-02-04T21:00:00Z'), 'UTC')).toBe(at('2026-02-05T00:00:00Z'));
  });
});
