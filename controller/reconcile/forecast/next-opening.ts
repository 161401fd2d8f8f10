import type { RolloutWindowSpec } from '../../desired/types.js';
import { isWindowOpen } from '../window.js';

const MINUTE = 60_000;
// Windows recur weekly; a little over a week covers every opening, summer time shifts included.
const HORIZON = 8 * 24 * 60 * MINUTE;

/**
 * The first instant at or after `fromMs` at which `window` is open: `fromMs` itself when it is
 * open then, else its next opening, exact to the millisecond, in the window's own time zone.
 * Null when it does not open within a week (only an unknown time zone does that). The search
 * steps by less than the shortest open or closed stretch, so it never steps over one, then
 * bisects the step that opens it.
 */
export function nextWindowOpening(window: RolloutWindowSpec, fromMs: number): number | null {
  if (isWindowOpen(window, fromMs)) return fromMs;
  const step = stepFor(window);
  let closed = fromMs;
  for (let t = fromMs + step; t <= fromMs + HORIZON; t += step) {
    if (!isWindowOpen(window, t)) {
      closed = t;
      continue;
    }
    let open = t;
    while (open - closed > 1) {
      const mid = Math.floor((open + closed) / 2);
      if (isWindowOpen(window, mid)) open = mid;
      else closed = mid;
    }
    return open;
  }
  return null;
}

// Shorter than the window's daily open stretch and than the daily gap between two openings.
function stepFor(window: RolloutWindowSpec): number {
  const open = (window.endMinute - window.startMinute + 1440) % 1440 || 1440;
  const gap = open === 1440 ? 1440 : 1440 - open;
  return Math.max(1, Math.min(15, open, gap)) * MINUTE;
}
