import type { LocalState, Target } from '../state/local-state.js';
import type { DownloadProgress } from './download.js';

/** How a step the executor ran ended; `aborted` means it was cut off and left resumable. */
export type StepOutcome = { kind: 'ok' } | { kind: 'failed'; error: string } | { kind: 'aborted' };

/**
 * The side effects of an update, behind one interface: real files and an installer hook on an
 * appliance, timers and behaviours in the simulator. The agent's loop and `decide` are the same for both.
 */
export interface UpdateExecutor {
  /** Fetches the image of `work`, resuming what `state` says is already on disk. */
  download(work: Target, state: LocalState, signal: AbortSignal, onProgress: (p: DownloadProgress) => void): Promise<StepOutcome>;
  /** Checks the downloaded image (size, sha256); a failure also discards it. */
  verify(work: Target, signal: AbortSignal): Promise<StepOutcome>;
  /** Runs the installer; its exit code decides. */
  install(work: Target, signal: AbortSignal): Promise<StepOutcome>;
  /** Removes whatever was downloaded for `target`. */
  discard(target: Target): Promise<void>;
  /** Removes every downloaded image but the one of `keep` (all of them when null). */
  cleanup(keep: Target | null): Promise<void>;
}
