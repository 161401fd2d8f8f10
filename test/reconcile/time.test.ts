import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toIso, toIsoFrom, toMs } from '../../controller/reconcile/time.js';

// Instants from year 0 to 9999, where toISOString writes the four-digit form.
const instant = fc.integer({ min: Date.UTC(0, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) });
const digitString = (length: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: length, maxLength: length }).map((d) => d.join(''));

describe('toMs reads ISO times exactly as Date.parse does', () => {
  const rows: { name: string; given: string | null | undefined; want: number | null }[] = [
    { name: 'milliseconds and Z', given: '2026-01-31T12:00:00.000Z', want: Date.UTC(2026, 0, 31, 12) },
    { name: 'no milliseconds', given: '2026-01-31T12:00:00Z', want: Date.UTC(2026, 0, 31, 12) },
    { name: 'a leap day', given: '2024-02-29T23:59:59.999Z', want: Date.UTC(2024, 1, 29, 23, 59, 59, 999) },
    { name: 'an offset, left to Date.parse', given: '2026-01-31T13:00:00+01:00', want: Date.UTC(2026, 0, 31, 12) },
    { name: 'February 30, which Date.parse rolls over', given: '2026-02-30T00:00:00.000Z', want: Date.parse('2026-02-30T00:00:00.000Z') },
    { name: '24:00, which Date.parse reads as the next midnight', given: '2026-01-31T24:00:00.000Z', want: Date.UTC(2026, 1, 1) },
    { name: 'month 13 is no time', given: '2026-13-01T00:00:00.000Z', want: null },
    { name: 'text is no time', given: 'yesterday', want: null },
    { name: 'null', given: null, want: null },
    { name: 'undefined', given: undefined, want: null },
  ];
  for (const row of rows) it(row.name, () => expect(toMs(row.given)).toBe(row.want));

  it('round-trips every instant toISOString writes, with and without milliseconds', () => {
    fc.assert(
      fc.property(instant, (ms) => {
        const text = new Date(ms).toISOString();
        expect(toMs(text)).toBe(ms);
        const seconds = `${text.slice(0, 19)}Z`;
        expect(toMs(seconds)).toBe(Date.parse(seconds));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees with Date.parse on any digits in the shape of an ISO time, valid or not', () => {
    fc.assert(
      fc.property(digitString(4), digitString(2), digitString(2), digitString(2), digitString(2), digitString(2), digitString(3), fc.boolean(), (y, mo, d, h, mi, s, ms, withMs) => {
        const text = `${y}-${mo}-${d}T${h}:${mi}:${s}${withMs ? `.${ms}` : ''}Z`;
        const parsed = Date.parse(text);
        expect(toMs(text)).toBe(Number.isNaN(parsed) ? null : parsed);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('toIso and toIsoFrom', () => {
  it('write what toISOString writes, however often an instant comes back', () => {
    fc.assert(
      fc.property(fc.array(instant, { minLength: 1, maxLength: 600 }), (instants) => {
        for (const ms of [...instants, ...instants.reverse()]) expect(toIso(ms)).toBe(new Date(ms).toISOString());
      }),
    );
  });

  it('write the instant whether or not the observed text already has that form', () => {
    const text = '2026-01-31T12:00:00.000Z';
    expect(toIsoFrom(text, Date.UTC(2026, 0, 31, 12))).toBe(text);
    expect(toIsoFrom('2026-01-31T12:00:00Z', Date.UTC(2026, 0, 31, 12))).toBe('2026-01-31T12:00:00.000Z');
    expect(toIsoFrom('2026-01-31T13:00:00+01:00', Date.UTC(2026, 0, 31, 12))).toBe('2026-01-31T12:00:00.000Z');
    expect(toIsoFrom(null, 0)).toBe('1970-01-01T00:00:00.000Z');
    expect(toIsoFrom(text, 0)).toBe('1970-01-01T00:00:00.000Z');
  });
});
