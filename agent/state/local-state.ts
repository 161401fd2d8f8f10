import type { CheckinResponse } from '../../protocol/checkin-response.js';
import type { UpdatePhase } from '../../protocol/checkin-request.js';

/** A release the server told the appliance to run. */
export type Target = NonNullable<CheckinResponse['target']>;
/** A retention policy as handed down at check-in, with the hash the server computed for it. */
export type RetentionGrant = NonNullable<CheckinResponse['retention']>;

/** Everything the agent must remember across a restart or a reboot. Times are epoch milliseconds. */
export interface LocalState {
  /** The target of the last successful check-in (null: the server wants nothing). */
  serverTarget: Target | null;
  /** The release being worked on, which `phase` describes; it trails `serverTarget` until the agent switches. */
  work: Target | null;
  phase: UpdatePhase | null;
  since: number | null;
  attempt: number;
  error: string | null;
  /** A failed attempt is retried no sooner than this. */
  nextAttemptAt: number | null;
  /** The downloaded image passed its checks; only the install is left. */
  verified: boolean;
  downloadedBytes: number;
  downloadTotal: number | null;
  /** ETag or Last-Modified of the partial download, sent as If-Range when resuming. */
  downloadValidator: string | null;
  deferUntil: number | null;
  retention: RetentionGrant | null;
  appliedPolicyHash: string | null;
  lastPrunedAt: number | null;
}

/** Progress on a release, as it is before any: what switching to a new target resets. */
export const NO_PROGRESS = {
  phase: null,
  since: null,
  attempt: 0,
  error: null,
  nextAttemptAt: null,
  verified: false,
  downloadedBytes: 0,
  downloadTotal: null,
  downloadValidator: null,
} satisfies Partial<LocalState>;

export const INITIAL_STATE: LocalState = {
  serverTarget: null,
  work: null,
  ...NO_PROGRESS,
  deferUntil: null,
  retention: null,
  appliedPolicyHash: null,
  lastPrunedAt: null,
};

/** Where the agent keeps its LocalState: a SQLite file on an appliance, memory in the simulator. */
export interface StateStore {
  load(): LocalState;
  /** Writes the changed fields durably and returns the whole new state. */
  save(patch: Partial<LocalState>): LocalState;
  close(): void;
}

/** A StateStore that forgets everything when the process ends: for simulated appliances. */
export class MemoryStateStore implements StateStore {
  private state: LocalState = { ...INITIAL_STATE };

  load(): LocalState {
    return this.state;
  }

  save(patch: Partial<LocalState>): LocalState {
    this.state = { ...this.state, ...patch };
    return this.state;
  }

  close(): void {}
}
