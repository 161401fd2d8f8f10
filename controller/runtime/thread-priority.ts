import { execFileSync } from 'node:child_process';
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
 * setpriority, read from /proc/thread-self), then puts it in Linux's SCHED_IDLE policy (see
 * idlePolicy). Elsewhere, or when not allowed, the pass runs at the process's priority.
 */
export function lowerThisThreadsPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    const niceness = passNiceness();
    if (!Number.isInteger(tid) || tid <= 0 || niceness === 0) return;
    setPriority(tid, Math.min(19, getPriority(tid) + niceness));
    if (process.env.MUSTER_PASS_SCHED_IDLE !== '0') idlePolicy(tid);
  } catch {
    // Not Linux, or not permitted: nothing to do.
  }
}

/**
 * SCHED_IDLE, through util-linux's `chrt` (node has no call for it; Debian and its images always carry
 * util-linux). Niceness alone lowers a thread's share of a busy core, but a check-in thread that wakes
 * while the pass runs may still wait out the pass's time slice; a SCHED_IDLE thread is preempted as soon
 * as any other wakes, and its share under overload is about a fifth of +19's. Measured at 100,000
 * appliances: check-ins kept 74–88% of their rate during passes against 67–80% on SQLite, and passes
 * took up to half as long again (docs/BENCHMARKS.md). Without `chrt`, the niceness stays.
 */
function idlePolicy(tid: number): void {
  try {
    execFileSync('chrt', ['--idle', '--pid', '0', String(tid)], { stdio: 'ignore', timeout: 5_000 });
  } catch {
    // No chrt, or not permitted: the niceness alone.
  }
}
