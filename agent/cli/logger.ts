import pino from 'pino';
import type { Logger } from '../core/logger.js';

/** JSON lines on stderr, one per event, written synchronously so nothing is lost at exit. */
export function createStderrLogger(name: string, level = process.env.MUSTER_LOG_LEVEL ?? 'info'): Logger & pino.Logger {
  return pino({ name, level }, pino.destination({ dest: 2, sync: true }));
}
