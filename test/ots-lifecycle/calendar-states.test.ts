import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CalendarOutcome, CalendarReport } from '../../controller/ots/calendar-client.js';
import { answerChanges, calendarStatesAfter, recordedAnswer } from '../../controller/ots/lifecycle/calendar-states.js';
import type { CalendarProofState } from '../../controller/store/store.js';

const A = 'https://a.example';
const B = 'https://b.example';
const T0 = new Date('2026-03-02T10:00:00.000Z');
const T1 = new Date('2026-03-02T11:00:00.000Z');
const at = (d: Date) => d.toISOString();
const report = (calendar: string, outcome: CalendarOutcome): CalendarReport => ({ calendar, outcome });

describe('the answer stored for each client outcome', () => {
  it.each([
    { name: 'submitted', given: { kind: 'submitted' }, want: { answer: 'submitted', contacted: true } },
    { name: 'upgraded', given: { kind: 'upgraded' }, want: { answer: 'upgraded', contacted: true } },
    { name: 'pending confirmation', given: { kind: 'pending', message: 'Pending confirmation in Bitcoin blockchain' }, want: { answer: 'pending', contacted: true } },
    { name: 'waiting for confirmations', given: { kind: 'confirming', message: 'Timestamped by transaction …', txid: 'ab' }, want: { answer: 'waiting', contacted: true } },
    { name: 'not found', given: { kind: 'not-found', message: 'Not found' }, want: { answer: 'notFound', contacted: true } },
    { name: 'a failure', given: { kind: 'failed', reason: 'HTTP 500' }, want: { answer: 'error', message: 'HTTP 500', contacted: true } },
    { name: 'not allowed', given: { kind: 'not-allowed', reason: 'not one of the OtsPolicy calendars' }, want: { answer: 'error', message: 'not contacted: not one of the OtsPolicy calendars', contacted: false } },
    { name: 'backing off', given: { kind: 'backing-off', retryAt: at(T1) }, want: { answer: 'error', contacted: false } },
  ] as { name: string; given: CalendarOutcome; want: object }[])('$name', ({ given, want }) => {
    expect(recordedAnswer(given)).toMatchObject(want);
  });
});

describe('calendar states after an attempt', () => {
  const before: Record<string, CalendarProofState> = {
    [A]: { answer: 'pending', at: at(T0), since: at(T0), attempts: 2, message: 'Pending confirmation in Bitcoin blockchain' },
    [B]: { answer: 'submitted', at: at(T0), since: at(T0), attempts: 1 },
  };

  it.each([
    {
      name: 'the same answer keeps its since and counts the attempt',
      given: [report(A, { kind: 'pending', message: 'Pending confirmation in Bitcoin blockchain' })],
      want: { [A]: { answer: 'pending', at: at(T1), since: at(T0), attempts: 3, message: 'Pending confirmation in Bitcoin blockchain' } },
    },
    {
      name: 'a new answer starts its since now',
      given: [report(A, { kind: 'not-found', message: 'Not found' })],
      want: { [A]: { answer: 'notFound', at: at(T1), since: at(T1), attempts: 3, message: 'Not found' } },
    },
    {
      name: 'backing off keeps the previous state',
      given: [report(A, { kind: 'backing-off', retryAt: at(T1) })],
      want: { [A]: before[A] },
    },
    {
      name: 'the most telling answer wins when a calendar holds two commitments',
      given: [report(B, { kind: 'pending', message: 'p' }), report(B, { kind: 'upgraded' }), report(B, { kind: 'failed', reason: 'x' })],
      want: { [B]: { answer: 'upgraded', at: at(T1), since: at(T1), attempts: 2 } },
    },
  ])('$name', ({ given, want }) => {
    expect(calendarStatesAfter(before, given, T1)).toMatchObject({ ...before, ...want });
  });

  it('a calendar seen for the first time while backing off is recorded as not contacted', () => {
    expect(calendarStatesAfter({}, [report(A, { kind: 'backing-off', retryAt: at(T1) })], T0)).toEqual({
      [A]: { answer: 'error', at: at(T0), since: at(T0), message: `not contacted: it failed recently; next attempt after ${at(T1)}` },
    });
  });

  it('changes are the calendars whose answer moved', () => {
    const after = calendarStatesAfter(before, [report(A, { kind: 'upgraded' }), report(B, { kind: 'submitted' })], T1);
    expect(answerChanges(before, after)).toEqual([{ calendar: A, from: 'pending', to: 'upgraded' }]);
  });

  it('never loses a calendar, never moves `since` later while the answer is unchanged, and counts only requests sent', () => {
    const outcome = fc.oneof(
      fc.constant<CalendarOutcome>({ kind: 'upgraded' }),
      fc.constant<CalendarOutcome>({ kind: 'pending', message: 'p' }),
      fc.constant<CalendarOutcome>({ kind: 'not-found', message: 'Not found' }),
      fc.constant<CalendarOutcome>({ kind: 'failed', reason: 'x' }),
      fc.constant<CalendarOutcome>({ kind: 'backing-off', retryAt: at(T1) }),
      fc.constant<CalendarOutcome>({ kind: 'not-allowed', reason: 'r' }),
    );
    const runs = fc.array(fc.array(fc.record({ calendar: fc.constantFrom(A, B), outcome }), { maxLength: 4 }), { maxLength: 8 });
    fc.assert(
      fc.property(runs, (attempts) => {
        let states: Record<string, CalendarProofState> = {};
        let sent = 0;
        attempts.forEach((reports, i) => {
          const now = new Date(T0.getTime() + i * 60_000);
          const next = calendarStatesAfter(states, reports, now);
          for (const calendar of Object.keys(states)) expect(next).toHaveProperty([calendar]);
          for (const [calendar, state] of Object.entries(next)) {
            const prev = states[calendar];
            if (prev && prev.answer === state.answer) expect(state.since).toBe(prev.since);
            expect(Date.parse(state.since)).toBeLessThanOrEqual(Date.parse(state.at));
          }
          sent += new Set(reports.filter((r) => r.outcome.kind !== 'backing-off' && r.outcome.kind !== 'not-allowed').map((r) => r.calendar)).size;
          states = next;
        });
        const attemptsTotal = Object.values(states).reduce((n, s) => n + (s.attempts ?? 0), 0);
        expect(attemptsTotal).toBeLessThanOrEqual(sent);
      }),
    );
  });
});
