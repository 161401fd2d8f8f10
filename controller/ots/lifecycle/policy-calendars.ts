import { createCalendarClient, type CalendarClient, type CalendarClientOptions } from '../calendar-client.js';

/**
 * The calendar client for the OtsPolicy in force. Submissions and upgrades share it, so a calendar
 * that keeps failing is rested for both; a new allow-list (a commit changed the policy) gets a new
 * client, and a calendar removed from the policy is never contacted again.
 */
export class PolicyCalendars {
  private current: { key: string; client: CalendarClient } | null = null;

  /** `options` are the client's (HTTP layer, clock, timeouts, concurrency, backoff), without the list. */
  constructor(private readonly options: Omit<CalendarClientOptions, 'calendars'> = {}) {}

  /** The client bound to `calendars`: the same one, queues and backoff included, while the list is unchanged. */
  forPolicy(calendars: readonly string[]): CalendarClient {
    const key = JSON.stringify(calendars);
    if (this.current?.key !== key) this.current = { key, client: createCalendarClient({ ...this.options, calendars }) };
    return this.current.client;
  }
}
