import { describe, expect, it } from 'vitest';
import { CHECKIN_BACKOFF, checkinRetryDelayMs, MAX_RETRY_AFTER_MS, parseRetryAfter } from '../../agent/protocol/checkin-retry.js';

const NOW = Date.parse('2026-02-02T12:00:00Z');

describe('check-in retries', () => {
  it('honours Retry-After, bounded, and never below the floor', () => {
    expect(checkinRetryDelayMs(1, 120_000, () => 0)).toBe(120_000);
    expect(checkinRetryDelayMs(1, 0, () => 0)).toBe(CHECKIN_BACKOFF.floorMs);
    expect(checkinRetryDelayMs(1, 30 * 86_400_000, () => 0)).toBe(MAX_RETRY_AFTER_MS);
    expect(checkinRetryDelayMs(4, null, () => 0.5)).toBe(8_000);
  });

  it.each([
    { name: 'seconds', given: '120', want: 120_000 },
    { name: 'an HTTP date', given: 'Mon, 02 Feb 2026 12:01:30 GMT', want: 90_000 },
    { name: 'a date in the past', given: 'Mon, 02 Feb 2026 11:00:00 GMT', want: 0 },
    { name: 'garbage', given: 'soon', want: null },
    { name: 'absent', given: null, want: null },
  ])('reads Retry-After given as $name', ({ given, want }) => {
    expect(parseRetryAfter(given, NOW)).toBe(want);
  });
});
