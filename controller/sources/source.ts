import type { FleetFile } from '../desired/load.js';
import type { LoadError, RevisionCommit } from '../desired/types.js';
import type { Plan } from '../reconcile/plan.js';
import { backoffDelayMs, type BackoffPolicy } from '../../lib/backoff.js';
import { backgroundClock, isoTime, type Clock, type TimerHandle } from '../../lib/clock.js';

/** Where revisions come from: a git remote, a local directory, or custom resources in a cluster. */
export type SourceKind = 'git' | 'directory' | 'kubernetes';

/** One revision of the fleet repository, as a source hands it to the controller. */
export interface Revision {
  /** A commit SHA (git source) or a content hash `sha256:…` (directory source). */
  id: string;
  files: FleetFile[];
  /** Files the source could not read; a revision with any is rejected like one with load errors. */
  unreadable?: LoadError[];
  /** Who made the revision, for the audit trail: the commit's author (git source only). */
  commit?: RevisionCommit;
}


/** Why the last fetch failed, and when the source will try again. */
export interface FetchError {
  message: string;
  at: string;
  /** Consecutive failures so far. */
  failures: number;
  retryAt: string;
}

/** What a source knows about its origin, apart from whether the revisions it fetched were valid. */
export interface FetchStatus {
  kind: SourceKind;
  /** The git URL, the directory or `kubernetes://NAMESPACE`. */
  location: string;
  /** The newest revision fetched from the origin, valid or not; null before the first fetch. */
  fetchedRevision: string | null;
  lastFetchAt: string | null;
  /** Null when the last fetch succeeded. */
  fetchError: FetchError | null;
}

/** A source of fleet repository revisions: a git remote or a local directory. */
export interface Source {
  readonly kind: SourceKind;
  /** Fetches once (resolving when that fetch is done, whatever its outcome) and starts following the origin. */
  start(): Promise<void>;
  /** Stops following the origin; resolves once any fetch in flight has ended. */
  stop(): Promise<void>;
  /** Asks for a fetch soon (a webhook, a file change); fetches already due are merged into one. */
  trigger(): void;
  /** Fetches now; resolves with the revision fetched, or null when the fetch failed. */
  sync(): Promise<Revision | null>;
  /** Calls `listener` with every fetched revision whose id differs from the previous one. */
  onRevision(listener: (revision: Revision) => void): () => void;
  /** Calls `listener` after every fetch attempt, successful or not, with the status it left. */
  onFetch(listener: (status: FetchStatus) => void): () => void;
  status(): FetchStatus;
  /**
   * Shows an applied plan where the desired state came from (Kubernetes: each Rollout's status
   * subresource); resolves with the problems met, one line each. Sources without such a place omit it.
   */
  reportPlan?(plan: Plan): Promise<string[]>;
}

/**
 * Retries of a failing fetch: 5 s after the first failure, doubling to
 * at most 5 min, exactly on time (one controller, no crowd to spread out).
 */
export const FETCH_BACKOFF: BackoffPolicy = { baseMs: 5_000, maxMs: 5 * 60_000 };

export interface SourceTiming {
  /** The clock fetches are scheduled on (the real one, unref'd, by default). */
  clock?: Clock;
  /** Time between fetches while the origin answers; null to fetch only when triggered. */
  intervalMs?: number | null;
  backoff?: BackoffPolicy;
}

/**
 * The loop every source shares: one fetch at a time, a new revision announced once, a failure kept
 * in the status and retried on exponential backoff, success followed by the next interval.
 * Subclasses supply `fetchRevision`.
 */
export abstract class FetchingSource implements Source {
  abstract readonly kind: SourceKind;
  protected readonly clock: Clock;
  private readonly intervalMs: number | null;
  private readonly backoff: BackoffPolicy;
  private readonly listeners = new Set<(revision: Revision) => void>();
  private readonly fetchListeners = new Set<(status: FetchStatus) => void>();
  private timer: TimerHandle | null = null;
  private inFlight: Promise<Revision | null> | null = null;
  private again = false;
  private stopped = true;
  private failures = 0;
  private fetched: { id: string; at: string } | null = null;
  private fetchError: FetchError | null = null;

  protected constructor(
    readonly location: string,
    timing: SourceTiming,
  ) {
    this.clock = timing.clock ?? backgroundClock;
    this.intervalMs = timing.intervalMs === undefined ? 60_000 : timing.intervalMs;
    this.backoff = timing.backoff ?? FETCH_BACKOFF;
  }

  /** Reads the origin's current revision; rejects when the origin cannot be read. */
  protected abstract fetchRevision(): Promise<Revision>;

  async start(): Promise<void> {
    this.stopped = false;
    await this.sync();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer();
    await this.inFlight;
  }

  trigger(): void {
    if (this.stopped) return;
    if (this.inFlight) this.again = true;
    else this.schedule(0);
  }

  sync(): Promise<Revision | null> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.cancelTimer();
    this.inFlight = this.fetchOnce();
    return this.inFlight;
  }

  /** What follows a fetch: a merged trigger at once, a retry on backoff after a failure, else the interval. */
  private scheduleNext(): void {
    if (this.stopped) return;
    if (this.again) {
      this.again = false;
      this.schedule(0);
    } else if (this.failures > 0) this.schedule(backoffDelayMs(this.failures, this.backoff));
    else if (this.intervalMs !== null) this.schedule(this.intervalMs);
  }

  onRevision(listener: (revision: Revision) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onFetch(listener: (status: FetchStatus) => void): () => void {
    this.fetchListeners.add(listener);
    return () => this.fetchListeners.delete(listener);
  }

  status(): FetchStatus {
    return {
      kind: this.kind,
      location: this.location,
      fetchedRevision: this.fetched?.id ?? null,
      lastFetchAt: this.fetched?.at ?? null,
      fetchError: this.fetchError,
    };
  }

  /** One fetch; listeners hear of it once the next attempt is scheduled, so the status they read is whole. */
  private async fetchOnce(): Promise<Revision | null> {
    const revision = await this.fetchAndAnnounce();
    this.inFlight = null;
    this.scheduleNext();
    const status = this.status();
    for (const listener of this.fetchListeners) safely(() => listener(status));
    return revision;
  }

  private async fetchAndAnnounce(): Promise<Revision | null> {
    let revision: Revision;
    try {
      revision = await this.fetchRevision();
    } catch (err) {
      this.failures += 1;
      const now = this.clock.now();
      const retryAt = isoTime(now + backoffDelayMs(this.failures, this.backoff));
      const message = err instanceof Error ? err.message.trim() : String(err);
      this.fetchError = { message, at: isoTime(now), failures: this.failures, retryAt };
      return null;
    }
    this.failures = 0;
    this.fetchError = null;
    const changed = this.fetched?.id !== revision.id;
    this.fetched = { id: revision.id, at: isoTime(this.clock.now()) };
    if (changed) {
      for (const listener of this.listeners) safely(() => listener(revision));
    }
    return revision;
  }

  private schedule(ms: number): void {
    this.cancelTimer();
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void this.sync();
    }, ms);
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }
}

/** Runs a listener; its failure is its own bug, not a fetch failure: surfaced without stopping the loop. */
function safely(call: () => void): void {
  try {
    call();
  } catch (err) {
    queueMicrotask(() => {
      throw err;
    });
  }
}
