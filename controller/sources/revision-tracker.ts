import { loadFleetFiles, sortErrors } from '../desired/load.js';
import { loadFleetFilesIsolated } from '../desired/isolated-load.js';
import { parallelPoolFor, type ParallelLoadOptions } from '../desired/parallel-load.js';
import type { DesiredState, LoadError, LoadResult } from '../desired/types.js';
import type { FetchStatus, Revision, Source } from './source.js';
import { backgroundClock, type Clock } from '../../lib/clock.js';

/**
 * Flux's view of a source: the revision being acted on and the newest one tried. When they differ,
 * `errors` says why the newer one was refused.
 */
export interface RevisionStatus {
  /** The last valid revision: the one the controller acts on. */
  lastAppliedRevision: string | null;
  /** The newest revision loaded, valid or not. */
  lastAttemptedRevision: string | null;
  /** Load errors of `lastAttemptedRevision`; empty when it was applied. */
  errors: LoadError[];
  /** When this status last changed. */
  at: string;
}

export interface TrackerState {
  status: RevisionStatus;
  /** The desired state of `lastAppliedRevision`. */
  current: DesiredState | null;
}

export type TrackOutcome = 'applied' | 'rejected' | 'unchanged';

export function initialTrackerState(now: Date): TrackerState {
  return { status: { lastAppliedRevision: null, lastAttemptedRevision: null, errors: [], at: now.toISOString() }, current: null };
}

/**
 * Applies the rule of the fleet repository: a revision that fails to load never replaces the last
 * good one. A valid revision becomes current and clears the errors; an invalid one is recorded as
 * attempted with its errors while the previous desired state stays. The revision already attempted
 * is not loaded again. Pure: `now` stamps the status.
 */
export function trackRevision(state: TrackerState, revision: Revision, now: Date): { state: TrackerState; outcome: TrackOutcome } {
  if (revision.id === state.status.lastAttemptedRevision) return { state, outcome: 'unchanged' };
  return recordRevision(state, revision, loadFleetFiles(revision.files, revision.id), now);
}

/** `trackRevision` for a revision already loaded (`result`): the same rule, without loading. Pure. */
export function recordRevision(state: TrackerState, revision: Revision, result: LoadResult, now: Date): { state: TrackerState; outcome: TrackOutcome } {
  if (revision.id === state.status.lastAttemptedRevision) return { state, outcome: 'unchanged' };
  const unreadable = revision.unreadable ?? [];
  const at = now.toISOString();
  if (result.ok && unreadable.length === 0) {
    return {
      state: {
        status: { lastAppliedRevision: revision.id, lastAttemptedRevision: revision.id, errors: [], at },
        // The commit's author travels with the desired state, so the controller can record who made it.
        current: revision.commit ? { ...result.state, commit: revision.commit } : result.state,
      },
      outcome: 'applied',
    };
  }
  const errors = sortErrors([...unreadable, ...(result.ok ? [] : result.errors)]);
  return {
    state: { status: { ...state.status, lastAttemptedRevision: revision.id, errors, at }, current: state.current },
    outcome: 'rejected',
  };
}

/** Everything known about a tracked source: fetching and validation together. */
export type TrackedSourceStatus = RevisionStatus & FetchStatus;

/** What changed, for a listener: a new desired state to act on, or only the status. */
export interface TrackedChange {
  outcome: 'applied' | 'rejected' | 'fetch';
  status: TrackedSourceStatus;
}

/**
 * A source with the last-good rule applied: feeds each fetched revision through `trackRevision`,
 * serves the desired state of the last good revision, and tells listeners when it or the status
 * changes (a trigger to reconcile soon, never the data itself). A large revision is loaded on
 * a worker thread of its own (`loadFleetFilesIsolated`), so the controller keeps answering meanwhile;
 * revisions still take effect one at a time, in the order fetched.
 */
export class TrackedSource {
  private state: TrackerState;
  private readonly listeners = new Set<(change: TrackedChange) => void>();
  private lastFetchError: string | null = null;
  /** The loads on worker threads not yet recorded, chained in fetch order. */
  private loading: Promise<void> | null = null;
  private readonly parallel: ParallelLoadOptions;

  constructor(
    readonly source: Source,
    private readonly clock: Clock = backgroundClock,
    initial?: TrackerState,
    parallel: ParallelLoadOptions = {},
  ) {
    // Workers start for each large revision and stop after it: kept warm, they would hold what
    // parsing it grew their heaps to (about 490 MB at 100,000 appliances) for as long as the source runs.
    this.parallel = { startWorkers: true, releaseWorkers: true, ...parallel };
    this.state = initial ?? initialTrackerState(new Date(clock.now()));
    source.onRevision((revision) => this.offer(revision));
    source.onFetch(() => this.noteFetch());
  }

  /**
   * Feeds one revision through the rule; used for every fetched revision. A small one is loaded
   * and recorded before this returns; a large one, or any while a large one is loading, after
   * the loads before it (`settled()` waits for them).
   */
  offer(revision: Revision): void {
    if (this.loading === null && parallelPoolFor(revision.files, this.parallel) === null) {
      this.record(trackRevision(this.state, revision, new Date(this.clock.now())));
      return;
    }
    const loaded = (this.loading ?? Promise.resolve())
      .then(() => this.loadInParallel(revision))
      .catch((err: unknown) => {
        // A bug, not bad input (that is a rejected revision): surfaced like a listener's, the chain goes on.
        queueMicrotask(() => {
          throw err;
        });
      });
    this.loading = loaded;
    void loaded.then(() => {
      if (this.loading === loaded) this.loading = null;
    });
  }

  /** Resolves once every revision offered so far has been loaded and recorded. */
  async settled(): Promise<void> {
    while (this.loading) await this.loading;
  }

  /** Fetches once and starts following the source; fetch failures land in the status. */
  async start(): Promise<void> {
    await this.source.start();
    await this.settled();
  }

  /** Stops following the source, once a load in flight has been recorded. */
  async stop(): Promise<void> {
    await this.source.stop();
    await this.settled();
  }

  /** Fetches now and applies the rule to what came back. */
  async sync(): Promise<TrackedSourceStatus> {
    await this.source.sync();
    await this.settled();
    return this.status();
  }

  /** The desired state of the last good revision; null until one arrived. */
  current(): DesiredState | null {
    return this.state.current;
  }

  status(): TrackedSourceStatus {
    return { ...this.source.status(), ...this.state.status };
  }

  onChange(listener: (change: TrackedChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async loadInParallel(revision: Revision): Promise<void> {
    if (revision.id === this.state.status.lastAttemptedRevision) return;
    const result = await loadFleetFilesIsolated(revision.files, revision.id, this.parallel);
    this.record(recordRevision(this.state, revision, result, new Date(this.clock.now())));
  }

  private record({ state, outcome }: { state: TrackerState; outcome: TrackOutcome }): void {
    this.state = state;
    if (outcome !== 'unchanged') this.emit(outcome);
  }

  private noteFetch(): void {
    const error = this.source.status().fetchError?.message ?? null;
    if (error !== this.lastFetchError) {
      this.lastFetchError = error;
      this.emit('fetch');
    }
  }

  private emit(outcome: TrackedChange['outcome']): void {
    const change = { outcome, status: this.status() };
    for (const listener of this.listeners) listener(change);
  }
}
