import type pg from 'pg';
import { rows, withTransaction } from './postgres-rows.js';
import type { IssuedToken, TokenChange, TokenChanges } from './store.js';
import { looksLikeOperatorToken, looksLikeToken, newOperatorToken, newToken, tokenHash, uniqueIds } from './tokens.js';

// The PostgreSQL side of appliance and operator tokens (see Store.issueTokens and the token methods).

/**
 * Issues a token to each appliance once (rotating existing ones only when asked), stamped `now`, in
 * one transaction; returns the tokens and the changes the store announces to its listeners.
 */
export async function pgIssueTokens(
  pool: pg.Pool,
  applianceIds: readonly string[],
  options: { rotate?: boolean },
  now: Date,
): Promise<{ issued: IssuedToken[]; changes: TokenChange[] }> {
  const ids = uniqueIds(applianceIds);
  if (ids.length === 0) return { issued: [], changes: [] };
  const tokens = ids.map(() => newToken());
  const hashes = tokens.map(tokenHash);
  const conflict = options.rotate
    ? 'DO UPDATE SET token_sha256 = excluded.token_sha256, rotated_at = excluded.created_at, change_seq = excluded.change_seq'
    : 'DO NOTHING';
  const written = await withTransaction(pool, async (client) => {
    // The counter row stays locked until commit, so change numbers are committed in order.
    const [counter] = await rows<{ seq: string }>(client, 'UPDATE token_changes SET seq = seq + 1 WHERE id = 1 RETURNING seq');
    const seq = Number(counter?.seq);
    const inserted = await rows<{ appliance: string }>(
      client,
      `INSERT INTO tokens (appliance, token_sha256, created_at, change_seq)
       SELECT u.appliance, u.hash, $3, $4 FROM unnest($1::text[], $2::text[]) AS u(appliance, hash)
       ON CONFLICT (appliance) ${conflict} RETURNING appliance`,
      [ids, hashes, now, seq],
    );
    return { seq, appliances: new Set(inserted.map((r) => r.appliance)) };
  });
  const issued: IssuedToken[] = [];
  const changes: TokenChange[] = [];
  ids.forEach((appliance, i) => {
    if (!written.appliances.has(appliance)) return;
    issued.push({ appliance, token: tokens[i] as string });
    changes.push({ appliance, tokenSha256: hashes[i] as string, seq: written.seq });
  });
  return { issued, changes };
}

export async function pgApplianceForToken(pool: pg.Pool, token: string): Promise<string | null> {
  if (!looksLikeToken(token)) return null;
  const [row] = await rows<{ appliance: string }>(pool, 'SELECT appliance FROM tokens WHERE token_sha256 = $1', [tokenHash(token)]);
  return row?.appliance ?? null;
}

export async function pgTokensChangedSince(pool: pg.Pool, cursor: number | null): Promise<TokenChanges> {
  const found = await rows<{ appliance: string; tokenSha256: string; seq: string }>(
    pool,
    'SELECT appliance, token_sha256 AS "tokenSha256", change_seq AS seq FROM tokens WHERE change_seq > $1 ORDER BY change_seq',
    [cursor ?? -1],
  );
  const changes = found.map((r) => ({ appliance: r.appliance, tokenSha256: r.tokenSha256, seq: Number(r.seq) }));
  return { changes, cursor: changes.length ? (changes[changes.length - 1] as TokenChange).seq : cursor };
}

export async function pgAppliancesWithTokens(pool: pg.Pool): Promise<string[]> {
  const found = await rows<{ appliance: string }>(pool, 'SELECT appliance FROM tokens ORDER BY appliance COLLATE "C"');
  return found.map((r) => r.appliance);
}

export async function pgIssueOperatorToken(pool: pg.Pool, name: string, options: { rotate?: boolean }, now: Date): Promise<string | null> {
  const token = newOperatorToken();
  const conflict = options.rotate ? 'DO UPDATE SET token_sha256 = excluded.token_sha256, rotated_at = excluded.created_at' : 'DO NOTHING';
  const written = await rows<{ name: string }>(
    pool,
    `INSERT INTO operator_tokens (name, token_sha256, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) ${conflict} RETURNING name`,
    [name, tokenHash(token), now],
  );
  return written.length ? token : null;
}

export async function pgOperatorForToken(pool: pg.Pool, token: string): Promise<string | null> {
  if (!looksLikeOperatorToken(token)) return null;
  const [row] = await rows<{ name: string }>(pool, 'SELECT name FROM operator_tokens WHERE token_sha256 = $1', [tokenHash(token)]);
  return row?.name ?? null;
}
