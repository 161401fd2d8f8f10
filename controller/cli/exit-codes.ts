/** What `validate`, `plan` and `ots inspect` examined is valid. */
export const EXIT_OK = 0;
/** What they examined is invalid (or another command failed). */
export const EXIT_INVALID = 1;
/** A bad flag or an unreadable auxiliary input. */
export const EXIT_USAGE = 2;

/** An error that ends a command with a given exit code and a one-line message on stderr. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_USAGE,
  ) {
    super(message);
  }
}
