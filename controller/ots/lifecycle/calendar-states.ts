/**
 * What a proof row remembers of each calendar: the last answer, since when it has been that
 * answer, and how many requests the calendar got for this proof. Pure: the time is an argument.
 */
import type { CalendarProofState } from '../../store/store.js';
import type { CalendarOutcome, CalendarReport } from '../calendar-client.js';

type Answer = CalendarProofState['answer'];

/** What an outcome amounts to in the row; `contacted` false when no request was sent. */
interface Recorded {
  answer: Answer;
  message?: string;
  contacted: boolean;
}

/**
 * When one calendar appears for several commitments of one proof (two pending attestations at
 * the same calendar), the most telling answer is kept.
 */
const RANK: Record<Answer, number> = { error: 0, submitted: 1, pending: 2, waiting: 3, notFound: 4, upgraded: 5 };

/** The stored answer for a client outcome; the kinds stay apart ("Not found" is never a retryable error). */
export function recordedAnswer(outcome: CalendarOutcome): Recorded {
  switch (outcome.kind) {
    case 'submitted':
      return { answer: 'submitted', contacted: true };
    case 'upgraded':
      return { answer: 'upgraded', contacted: true };
    case 'pending':
      return { answer: 'pending', message: outcome.message, contacted: true };
    case 'confirming':
      return { answer: 'waiting', message: outcome.message, contacted: true };
    case 'not-found':
      return { answer: 'notFound', message: outcome.message, contacted: true };
    case 'failed':
      return { answer: 'error', message: outcome.reason, contacted: true };
    case 'not-allowed':
      return { answer: 'error', message: `not contacted: ${outcome.reason}`, contacted: false };
    case 'backing-off':
      return { answer: 'error', message: `not contacted: it failed recently; next attempt after ${outcome.retryAt}`, contacted: false };
  }
}

/**
 * The per-calendar states after a submission or an upgrade at `now`: each reported calendar gets
 * its answer (`since` kept while the answer is unchanged, `attempts` counting requests sent).
 * A calendar that was not contacted because it is backing off keeps its previous state: nothing
 * was learnt about this proof. Calendars not reported keep theirs.
 */
export function calendarStatesAfter(
  previous: Readonly<Record<string, CalendarProofState>>,
  reports: readonly CalendarReport[],
  now: Date,
): Record<string, CalendarProofState> {
  const at = now.toISOString();
  const best = new Map<string, Recorded>();
  for (const report of reports) {
    const recorded = recordedAnswer(report.outcome);
    if (report.outcome.kind === 'backing-off' && previous[report.calendar]) continue;
    const current = best.get(report.calendar);
    if (!current || RANK[recorded.answer] > RANK[current.answer]) best.set(report.calendar, recorded);
  }
  const next: Record<string, CalendarProofState> = { ...previous };
  for (const [calendar, recorded] of best) {
    const before = previous[calendar];
    const attempts = (before?.attempts ?? 0) + (recorded.contacted ? 1 : 0);
    next[calendar] = {
      answer: recorded.answer,
      at,
      since: before?.answer === recorded.answer ? before.since : at,
      ...(attempts > 0 ? { attempts } : {}),
      ...(recorded.message ? { message: recorded.message } : {}),
    };
  }
  return next;
}

/** Calendars whose answer differs between two states, in calendar order: what an upgrade changed. */
export function answerChanges(
  before: Readonly<Record<string, CalendarProofState>>,
  after: Readonly<Record<string, CalendarProofState>>,
): { calendar: string; from: Answer | null; to: Answer }[] {
  return Object.keys(after)
    .sort()
    .flatMap((calendar) => {
      const from = before[calendar]?.answer ?? null;
      const to = (after[calendar] as CalendarProofState).answer;
      return from === to ? [] : [{ calendar, from, to }];
    });
}
