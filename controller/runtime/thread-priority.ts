import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * How much nicer than the API's thread a pass runs (`MUSTER_PASS_NICENESS` overrides it): when the cores
 * are busy, check-ins go first. The scheduler still gives the pass its share (at +19, about 1.5% of a
 * core against one busy thread, all of a core that is otherwise idle), so passes slow down under
 * overload but never stop.
 */
const PASS_NICENESS = 19;

function passNiceness(): number {
  const given = process.env.MUSTER_PASS_NICENESS ? Number(process.env.MUSTER_PASS_NICENESS) : PASS_NICENESS;
  return Number.isInteger(given) && given >= 0 ? given : PASS_NICENESS;
}

/**
 * Lowers the scheduling priority of this thread alone (Linux: a thread's id is a valid target of
 * setpriority, read from /proc/thread-self). Elsewhere, or when not allowed, the pass runs at the
 * process's priority.
 */
export function lowerThisThreadsPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) setPriority(tid, Math.min(19, getPriority(tid) + passNiceness()));
  } catch {
    // Not Linux, or not permitted: nothing to do.
  }
}
