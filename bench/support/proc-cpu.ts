import { readdirSync, readFileSync } from 'node:fs';

/** Linux's clock tick for /proc CPU times (USER_HZ, 100 on every mainstream architecture). */
const TICK_MS = 10;

/** CPU time (user + system, every thread) each process of a tree has used so far, ms by pid. */
export type CpuSnapshot = Map<number, number>;

function stat(pid: number): { ppid: number; cpuMs: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: the fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(fields[1]), cpuMs: (Number(fields[11]) + Number(fields[12])) * TICK_MS };
  } catch {
    return null;
  }
}

/**
 * The CPU time so far of `root` and of its children (a PostgreSQL server and its backends, or one
 * Node process and its threads). Reads Linux's /proc; elsewhere an empty snapshot.
 */
export function cpuSnapshot(root: number | undefined): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  if (root === undefined) return snapshot;
  const own = stat(root);
  if (!own) return snapshot;
  snapshot.set(root, own.cpuMs);
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return snapshot;
  }
  for (const name of pids) {
    const child = stat(Number(name));
    if (child?.ppid === root) snapshot.set(Number(name), child.cpuMs);
  }
  return snapshot;
}

/** CPU ms used between two snapshots of one tree (a process that appeared in between counts whole). */
export function cpuSpentMs(before: CpuSnapshot, after: CpuSnapshot): number {
  let spent = 0;
  for (const [pid, ms] of after) spent += ms - (before.get(pid) ?? 0);
  return spent;
}
