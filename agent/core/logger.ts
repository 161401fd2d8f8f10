/** The logging the agent needs; a pino logger is one. Objects carry the data, the string says what happened. */
export interface Logger {
  debug(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Drops everything: for tests and for simulated appliances that report through events instead. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
