/**
 * The store cannot be reached (PostgreSQL down, connection refused or reset). Transient: the API answers
 * 503 with Retry-After, the loop backs off, and the pool reconnects by itself once the server is back.
 */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/** The database was migrated by a newer Muster than this one: refusing beats corrupting it. */
export class SchemaTooNewError extends Error {
  override readonly name = 'SchemaTooNewError';
  constructor(
    readonly databaseVersion: number,
    readonly codeVersion: number,
  ) {
    super(
      `database schema is at version ${databaseVersion}, but this Muster knows versions up to ${codeVersion}: ` +
        'upgrade Muster, or point it at another database',
    );
  }
}

/** Another controller already leads on this SQLite file; a second one must not start. */
export class StoreLockedError extends Error {
  override readonly name = 'StoreLockedError';
  constructor(
    readonly database: string,
    readonly lockFile: string,
  ) {
    super(
      `another muster controller is already running on ${database} (it holds ${lockFile}); ` +
        'stop it first, or use PostgreSQL to run several replicas',
    );
  }
}
