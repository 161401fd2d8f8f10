import pino, { type Logger } from 'pino';

/** JSON logs on stderr, so stdout stays for results. */
export function cliLogger(level = process.env.MUSTER_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { name: 'muster' } }, pino.destination({ fd: 2, sync: true }));
}
