import { hash, randomBytes } from 'node:crypto';
import type { TokenChange, TokenListener } from './store.js';

const TOKEN_PREFIX = 'mst_';
/** `mst_` and 32 bytes in base64url (43 characters, no padding). */
const TOKEN_PATTERN = /^mst_[A-Za-z0-9_-]{43}$/;

/** A fresh appliance token: `mst_` + 32 random bytes, base64url. */
export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** What the store keeps of a token: its sha256, hex. The token itself is never stored. */
export function tokenHash(token: string): string {
  // One-shot hashing: no Hash object per call, as every check-in hashes its token.
  return hash('sha256', token, 'hex');
}

const OPERATOR_PREFIX = 'mso_';
/** `mso_` and 32 bytes in base64url: an operator's credential never has an appliance token's shape. */
const OPERATOR_PATTERN = /^mso_[A-Za-z0-9_-]{43}$/;

/** A fresh operator credential for the status page: `mso_` + 32 random bytes, base64url. */
export function newOperatorToken(): string {
  return OPERATOR_PREFIX + randomBytes(32).toString('base64url');
}

/** Whether a string has an operator credential's shape; anything else is refused without touching the store. */
export function looksLikeOperatorToken(token: string): boolean {
  return OPERATOR_PATTERN.test(token);
}

/** Whether a string has a token's shape; anything else is refused without touching the store. */
export function looksLikeToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

/** The ids to issue tokens for: each once, in the order first given. */
export function uniqueIds(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/** The listeners of one store object's token writes (Store.onTokensChanged). */
export class TokenListeners {
  private readonly listeners = new Set<TokenListener>();

  add(listener: TokenListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Tells every listener; called after the commit, before the write resolves. */
  notify(changes: readonly TokenChange[]): void {
    if (changes.length === 0) return;
    for (const listener of this.listeners) listener(changes);
  }
}
