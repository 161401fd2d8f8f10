/** One schema change. Versions are consecutive from 1; a released migration is never edited. */
export interface Migration {
  version: number;
  name: string;
  /** Statements run in order inside the migration transaction. */
  statements: string[];
}

/** The highest version a list of migrations reaches. */
export function latestVersion(migrations: readonly Migration[]): number {
  return migrations.reduce((max, m) => Math.max(max, m.version), 0);
}

/** The migrations a database at `current` still needs, in order. */
export function pendingMigrations(migrations: readonly Migration[], current: number): Migration[] {
  return migrations.filter((m) => m.version > current).sort((a, b) => a.version - b.version);
}
