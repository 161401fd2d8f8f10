import { loadFleetFiles, sortErrors } from '../desired/load.js';
import type { DesiredState, LoadError } from '../desired/types.js';
import type { FetchStatus, Revision, Source } from './source.js';
import { systemTimers, type Timers } from './timers.js';

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
  const result = loadFleetFiles(revision.files, revision.id);
  const unreadable = revision.unreadable ?? [];
  const at = now.toISOString();
  if (result.ok && unreadable.length === 0) {
    return {
      state: { status: { lastAppliedRevision: revision.id, lastAttemptedRevision: revision.id, errors: [], at }, current: result.state },
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
 * changes (a trigger to reconcile soon, never the data itself).
 */
export class TrackedSource {
  private state: TrackerState;
  private readonly listeners = new Set<(change: TrackedChange) => void>();
  private lastFetchError: string | null = null;

  constructor(
    readonly source: Source,
    private readonly timers: Timers = systemTimers,
    initial?: TrackerState,
  ) {
    this.state = initial ?? initialTrackerState(timers.now());
    source.onRevision((revision) => this.offer(revision));
    source.onFetch(() => this.noteFetch());
  }

  /** Feeds one revision through the rule; used for every fetched revision. */
  offer(revision: Revision): TrackOutcome {
    const { state, outcome } = trackRevision(this.state, revision, this.timers.now());
    this.state = state;
    if (outcome !== 'unchanged') this.emit(outcome);
    return outcome;
  }

  /** Fetches once and starts following the source; fetch failures land in the status. */
  async start(): Promise<void> {
    await this.source.start();
  }

  async stop(): Promise<void> {
    await this.source.stop();
  }

  /** Fetches now and applies the rule to what came back. */
  async sync(): Promise<TrackedSourceStatus> {
    await this.source.sync();
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
