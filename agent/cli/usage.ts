import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../../protocol/quantities.js';

/** A usage problem: the CLI prints it and exits 2. */
export class UsageError extends Error {}

export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number of at least 1');
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a number above 0');
  return n;
}

export function duration(value: string): number {
  const ms = parseDuration(value);
  if (ms === null || ms <= 0) throw new InvalidArgumentError('expected a duration such as 90s, 15m or 1h');
  return ms;
}
