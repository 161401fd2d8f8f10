import type Database from 'better-sqlite3';
import { unlessBusy } from './sqlite-rows.js';
import type { IssuedToken, TokenChange, TokenChanges } from './store.js';
import { looksLikeOperatorToken, looksLikeToken, newOperatorToken, newToken, tokenHash, uniqueIds } from './tokens.js';

// The SQLite side of appliance and operator tokens (see Store.issueTokens and the token methods).
// `prepare` is the store's statement cache, for the lookups every check-in makes.

type Prepare = (sql: string) => Database.Statement;

/**
 * Issues a token to each appliance once (rotating existing ones only when asked), stamped `nowMs`, in
 * one IMMEDIATE transaction; returns the tokens and the changes the store announces to its listeners.
 */
export function sqliteIssueTokens(
  db: Database.Database,
  applianceIds: readonly string[],
  options: { rotate?: boolean },
  nowMs: number,
): { issued: IssuedToken[]; changes: TokenChange[] } {
  const has = db.prepare('SELECT 1 FROM tokens WHERE appliance = ?').pluck();
  const upsert = db.prepare(
    `INSERT INTO tokens (appliance, token_sha256, created_at, rotated_at, change_seq) VALUES (?, ?, ?, NULL, ?)
     ON CONFLICT (appliance) DO UPDATE SET token_sha256 = excluded.token_sha256, rotated_at = excluded.created_at,
       change_seq = excluded.change_seq`,
  );
  const issue = db.transaction((): { issued: IssuedToken[]; changes: TokenChange[] } => {
    // Writes are serialized: one above the highest number so far is above everything committed.
    const seq = db.prepare('SELECT coalesce(max(change_seq), 0) + 1 FROM tokens').pluck().get() as number;
    const issued: IssuedToken[] = [];
    const changes: TokenChange[] = [];
    for (const appliance of uniqueIds(applianceIds)) {
      if (!options.rotate && has.get(appliance) !== undefined) continue;
      const token = newToken();
      const tokenSha256 = tokenHash(token);
      upsert.run(appliance, tokenSha256, nowMs, seq);
      issued.push({ appliance, token });
      changes.push({ appliance, tokenSha256, seq });
    }
    return { issued, changes };
  });
  return issue.immediate();
}

export function sqliteApplianceForToken(prepare: Prepare, token: string): string | null {
  if (!looksLikeToken(token)) return null;
  const row = unlessBusy(() => prepare('SELECT appliance FROM tokens WHERE token_sha256 = ?').get(tokenHash(token))) as { appliance: string } | undefined;
  return row?.appliance ?? null;
}

export function sqliteTokensChangedSince(prepare: Prepare, cursor: number | null): TokenChanges {
  const rows = unlessBusy(() =>
    prepare('SELECT appliance, token_sha256 AS tokenSha256, change_seq AS seq FROM tokens WHERE change_seq > ? ORDER BY change_seq').all(cursor ?? -1),
  ) as TokenChange[];
  return { changes: rows, cursor: rows.length ? (rows[rows.length - 1] as TokenChange).seq : cursor };
}

export function sqliteIssueOperatorToken(db: Database.Database, name: string, options: { rotate?: boolean }, nowMs: number): string | null {
  const token = newOperatorToken();
  const conflict = options.rotate ? 'DO UPDATE SET token_sha256 = excluded.token_sha256, rotated_at = excluded.created_at' : 'DO NOTHING';
  const written = db.prepare(`INSERT INTO operator_tokens (name, token_sha256, created_at) VALUES (?, ?, ?) ON CONFLICT (name) ${conflict}`).run(name, tokenHash(token), nowMs);
  return written.changes ? token : null;
}

export function sqliteOperatorForToken(prepare: Prepare, token: string): string | null {
  if (!looksLikeOperatorToken(token)) return null;
  const row = unlessBusy(() => prepare('SELECT name FROM operator_tokens WHERE token_sha256 = ?').get(tokenHash(token))) as { name: string } | undefined;
  return row?.name ?? null;
}
