/** One figure of a benchmark: a name, a value and its unit (ms, ops/s, MB…). */
export interface Figure {
  name: string;
  value: number;
  unit: string;
}

/**
 * A benchmark's outcome. Every benchmark measures Muster's way and a baseline in the same run
 * (a parse-only pass, a naive implementation, a bare HTTP server) and states the ratio, because
 * this machine is shared and absolute times drift.
 */
export interface BenchResult {
  title: string;
  figures: Figure[];
  /** e.g. "load+validate is 1.8× parse-only" */
  comparison: string;
  /** The goal from the issue and whether it was met. */
  goal: string;
  met: boolean;
}

export interface Benchmark {
  /** Short id used by `npm run bench -- <id>`. */
  id: string;
  run: () => Promise<BenchResult>;
}

/** Milliseconds spent in `fn`, with the high-resolution clock. */
export async function timeMs<T>(fn: () => T | Promise<T>): Promise<{ ms: number; value: T }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}
