import { StoreUnavailableError } from './errors.js';

/** Socket errors and PostgreSQL error classes that mean "cannot reach the server right now". */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up or shutting down)
  '53300', // too_many_connections
]);

/** pg reports a dropped connection or a connect timeout with these messages and no code. */
const UNAVAILABLE_MESSAGES = /connection terminated|timeout exceeded when trying to connect|connection error|not queryable|Connection is closed/i;

/** Whether an error from pg means the server is unreachable (transient) rather than a bad query. */
export function isUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
  if (err instanceof AggregateError) return err.errors.some(isUnavailable);
  return UNAVAILABLE_MESSAGES.test(err.message);
}

/** Runs a database operation, turning "server unreachable" failures into StoreUnavailableError. */
export async function guarded<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (err) {
    if (err instanceof StoreUnavailableError || !isUnavailable(err)) throw err;
    throw new StoreUnavailableError(`PostgreSQL is unavailable: ${(err as Error).message || (err as { code?: string }).code}`, err);
  }
}
