import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/** True under `npm run chaos`: the long versions run. */
export const LONG = process.env.MUSTER_CHAOS === 'long';

/**
 * How many times a reliability test repeats its fault: `short` in `npm test`, `long` under `npm run
 * chaos`; `MUSTER_CHAOS_<NAME>` (e.g. `MUSTER_CHAOS_KILLS=50`) overrides either.
 */
export function runs(name: string, short: number, long: number): number {
  const given = Number(process.env[`MUSTER_CHAOS_${name.toUpperCase()}`]);
  if (Number.isInteger(given) && given > 0) return given;
  return LONG ? long : short;
}

/**
 * Records a test's figures: printed under `npm run chaos`, and appended as one JSON line to
 * `MUSTER_CHAOS_REPORT` (under `npm run chaos`, `.muster/chaos-report.jsonl` by default), from which
 * docs/RELIABILITY.md is written.
 */
export function recordFigures(test: string, figures: Record<string, unknown>): void {
  const line = JSON.stringify({ test, at: new Date().toISOString(), long: LONG, ...figures });
  if (LONG) console.info(line);
  const file = process.env.MUSTER_CHAOS_REPORT ?? (LONG ? '.muster/chaos-report.jsonl' : undefined);
  if (!file) return;
  mkdirSync(dirname(file), { recursive: true });
  appendFileSync(file, `${line}\n`);
}
