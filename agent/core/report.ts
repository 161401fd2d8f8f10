import type { CheckinRequest } from '../../protocol/checkin-request.js';
import { isoTime } from '../../lib/clock.js';
import type { IncidentsMeasure } from '../retention/incidents-retention.js';
import type { LocalState } from '../state/local-state.js';
import type { Running } from '../update/decide.js';

const MAX_ERROR_CHARS = 4096;

export interface ReportInput {
  state: LocalState;
  running: Running;
  /** The incidents database as measured now; null when the agent has none. */
  incidents: IncidentsMeasure | null;
  /** Present only when deferral windows are configured: the window's end, or null outside one. */
  deferUntil?: number | null;
  /** False for an appliance that ignores updates: it never reports an update. */
  reportUpdate: boolean;
}

/**
 * The check-in body: versions from the version file, the phase of the release being worked on,
 * the retention status, and `deferUntil` when windows are configured. No `id`: the token says who reports.
 */
export function buildReport(input: ReportInput): CheckinRequest {
  const { state, running, incidents } = input;
  const update =
    input.reportUpdate && state.work && state.phase
      ? {
          release: state.work.name,
          phase: state.phase,
          since: isoTime(state.since ?? 0),
          attempt: state.attempt,
          error: state.error === null ? null : state.error.slice(0, MAX_ERROR_CHARS),
        }
      : null;
  const retention = incidents
    ? {
        policyHash: state.appliedPolicyHash,
        lastPrunedAt: state.lastPrunedAt === null ? null : isoTime(state.lastPrunedAt),
        ...incidents,
      }
    : null;
  return {
    agentVersion: running.agentVersion,
    imageVersion: running.imageVersion,
    update,
    retention,
    ...(input.deferUntil !== undefined ? { deferUntil: input.deferUntil === null ? null : isoTime(input.deferUntil) } : {}),
  };
}
