import { appendFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';

/**
 * Fail points, for the reliability tests only: named places in the controller where the process can be
 * made to kill itself with SIGKILL, so that a crash test lands exactly in a step instead of wherever a
 * random moment falls. In the manner of FreeBSD's fail points and etcd's gofail, but with one action:
 * die at once, as `kill -9` or a power loss would, nothing flushed and nothing released.
 *
 * Armed by the environment, read once when this module loads:
 *
 *   MUSTER_FAILPOINTS=plan-apply:2,git-fetch:3   the 2nd time plan-apply is reached, or the 3rd time
 *                                                 git-fetch is, the process kills itself
 *   MUSTER_FAILPOINTS_MARKER=/tmp/x/marker        before dying, one line `<point> <count> <pid>` is
 *                                                 appended there, so a test can tell the process died
 *                                                 at the point and not of something else
 *
 * Counts are per thread (a worker counts its own). When MUSTER_FAILPOINTS is unset, `failpoint` is one
 * comparison with null. Never set it in production.
 */

/** The places a fail point can be armed at. */
export const FAILPOINTS = {
  /** Inside a plan's apply transaction, after each run of actions was written, before the commit. */
  'plan-apply': 'inside a plan apply, after its actions were written, before the commit',
  /**
   * A group commit of check-ins. SQLite: inside the batch's transaction, after its rows were written,
   * before the commit. PostgreSQL (one statement, its own transaction): after the server committed the
   * batch, before any check-in of it is answered.
   */
  'group-commit': 'inside a group commit of check-ins',
  /** Between two batches of the proof expiry rewrite: a full batch committed, the next not begun. */
  'proof-expiry-batch': 'after a batch of the proof expiry rewrite, before the next',
  /** A git fetch brought a new commit into the clone; its revision is not read nor recorded yet. */
  'git-fetch': 'after a git fetch brought a new commit, before its revision is recorded',
} as const;

export type FailpointName = keyof typeof FAILPOINTS;

/**
 * The armed points and at which arrival each fires, from `spec` (`name:count,…`). Throws naming the
 * variable and the bad entry.
 */
export function parseFailpoints(spec: string): Map<FailpointName, number> {
  const armed = new Map<FailpointName, number>();
  for (const entry of spec.split(',').map((e) => e.trim()).filter(Boolean)) {
    const [name = '', count = '1', ...rest] = entry.split(':');
    if (!(name in FAILPOINTS)) {
      throw new Error(`MUSTER_FAILPOINTS: unknown fail point "${name}" in "${entry}"; known: ${Object.keys(FAILPOINTS).join(', ')}`);
    }
    const at = Number(count);
    if (rest.length > 0 || !Number.isInteger(at) || at < 1) {
      throw new Error(`MUSTER_FAILPOINTS: "${entry}" must be <point>:<n> with n a whole number from 1`);
    }
    armed.set(name as FailpointName, at);
  }
  return armed;
}

const armed = process.env.MUSTER_FAILPOINTS ? parseFailpoints(process.env.MUSTER_FAILPOINTS) : null;
const marker = process.env.MUSTER_FAILPOINTS_MARKER ?? null;
const reached = new Map<FailpointName, number>();

/** Kills the process with SIGKILL if `name` is armed and this is the arrival it is armed for; else nothing. */
export function failpoint(name: FailpointName): void {
  if (armed === null) return;
  const at = armed.get(name);
  if (at === undefined) return;
  const count = (reached.get(name) ?? 0) + 1;
  reached.set(name, count);
  if (count === at) die(name, count);
}

function die(name: FailpointName, count: number): never {
  if (marker !== null) appendFileSync(marker, `${name} ${count} ${process.pid} ${threadId}\n`);
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL cannot be caught; the process ends before this line.
  throw new Error('unreachable');
}

/**
 * The same fail point as JavaScript source, for a worker evaluated from a string (which imports
 * nothing): a statement to place where the point is, counting in the worker's own global. Empty when
 * the point is not armed, so the worker's code is then what it would be without it.
 */
export function failpointSource(name: FailpointName): string {
  const at = armed?.get(name);
  if (at === undefined) return '';
  const line = `${name} \${globalThis.musterFailpoint} \${process.pid} \${require('node:worker_threads').threadId}\\n`;
  return [
    `globalThis.musterFailpoint = (globalThis.musterFailpoint ?? 0) + 1;`,
    `if (globalThis.musterFailpoint === ${at}) {`,
    marker === null ? '' : `  require('node:fs').appendFileSync(${JSON.stringify(marker)}, \`${line}\`);`,
    `  process.kill(process.pid, 'SIGKILL');`,
    `}`,
  ].join('\n');
}
