import type { Logger } from 'pino';
import { backgroundClock, type Clock, type TimerHandle } from '../../lib/clock.js';
import type { Store, TokenChange } from '../store/store.js';
import { looksLikeToken, tokenHash } from '../store/tokens.js';

/** How often tokens written by other processes are read, by default. */
export const TOKEN_REFRESH_MS = 1000;

export interface TokenCacheOptions {
  /** How often to read the tokens other processes changed (default TOKEN_REFRESH_MS). */
  refreshMs?: number;
  log?: Logger;
  /** The clock the polls are timed on (the real one, unref'd, by default). */
  clock?: Clock;
}

/**
 * Every token's appliance in memory (by the token's sha256, as the store keeps it), so that a
 * check-in costs no query for auth. Kept current three ways:
 * - this process's own writes through the same store object (Store.onTokensChanged) apply before
 *   the write resolves: a token rotated that way stops working at once;
 * - the store is polled for changes every `refreshMs`: a token rotated by another process (the CLI,
 *   another replica) stops working within that period;
 * - an unknown token triggers a read before it is refused: a token issued anywhere works on its
 *   first check-in. Concurrent misses share one read, so a flood of bad tokens costs one query at a time.
 */
export class TokenCache {
  private readonly byHash = new Map<string, string>();
  private readonly byAppliance = new Map<string, { hash: string; seq: number }>();
  private cursor: number | null = null;
  private reading: Promise<void> | null = null;
  private queued: Promise<void> | null = null;
  private timer: TimerHandle | null = null;
  private stopped = false;
  private pollFailing = false;
  private readonly unsubscribe: () => void;
  private readonly refreshMs: number;
  private readonly clock: Clock;

  constructor(
    private readonly store: Store,
    private readonly options: TokenCacheOptions = {},
  ) {
    this.refreshMs = options.refreshMs ?? TOKEN_REFRESH_MS;
    this.clock = options.clock ?? backgroundClock;
    this.unsubscribe = store.onTokensChanged((changes) => this.apply(changes));
  }

  /** Loads every token and starts polling; a store that cannot be read now is read on the first check-in. */
  async start(): Promise<void> {
    await this.poll();
  }

  /** Stops polling and listening. */
  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** Tokens known. */
  get size(): number {
    return this.byHash.size;
  }

  /**
   * The appliance a token belongs to, or null for an unknown, rotated or malformed token. Rejects
   * (StoreUnavailableError) only when the token is unknown and the store cannot be read.
   */
  async applianceFor(token: string): Promise<string | null> {
    const known = this.knownAppliance(token);
    if (known !== undefined) return known;
    await this.refresh();
    return this.byHash.get(tokenHash(token)) ?? null;
  }

  /**
   * The appliance of a token already in memory, at once; null for a malformed token; undefined when
   * only a read of the store can tell (then ask applianceFor).
   */
  knownAppliance(token: string): string | null | undefined {
    if (!looksLikeToken(token)) return null;
    return this.byHash.get(tokenHash(token));
  }

  /** Resolves once a read of the store that began after this call has been applied. */
  refresh(): Promise<void> {
    if (!this.reading) {
      this.reading = this.read().finally(() => (this.reading = null));
      return this.reading;
    }
    // A read in flight may have begun before what the caller is looking for was committed: queue one more.
    this.queued ??= this.reading
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.refresh();
      });
    return this.queued;
  }

  private async read(): Promise<void> {
    const { changes, cursor } = await this.store.tokensChangedSince(this.cursor);
    this.apply(changes);
    this.cursor = cursor;
  }

  /** Applies changes in any order and more than once: an appliance's entry only moves forward. */
  private apply(changes: readonly TokenChange[]): void {
    for (const change of changes) {
      const current = this.byAppliance.get(change.appliance);
      if (current && current.seq >= change.seq) continue;
      if (current) this.byHash.delete(current.hash);
      this.byHash.set(change.tokenSha256, change.appliance);
      this.byAppliance.set(change.appliance, { hash: change.tokenSha256, seq: change.seq });
    }
  }

  private async poll(): Promise<void> {
    try {
      await this.refresh();
      if (this.pollFailing) this.options.log?.info('token cache: reading tokens again');
      this.pollFailing = false;
    } catch (err) {
      if (!this.pollFailing) this.options.log?.warn({ err }, 'token cache: cannot read tokens; keeping the ones known');
      this.pollFailing = true;
    }
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => void this.poll(), this.refreshMs);
  }
}
