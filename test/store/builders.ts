import type { CheckinRequest, StateDocument } from '../../controller/observed/state-schema.js';
import type { Action, Finding, Plan, RolloutStatus } from '../../controller/reconcile/plan.js';
import type { CheckinRecord } from '../../controller/store/store.js';

/** A check-in report; fields override the defaults. */
export function report(fields: Partial<CheckinRequest> = {}): CheckinRequest {
  return {
    agentVersion: '1.0.45',
    imageVersion: '45',
    update: null,
    retention: { policyHash: null, lastPrunedAt: null, databaseBytes: 1024, incidents: 3, oldestIncidentAt: null },
    ...fields,
  };
}

export function checkin(appliance: string, at: string, fields: Partial<CheckinRequest> = {}): CheckinRecord {
  return { appliance, at: new Date(at), report: report(fields) };
}

/** A plan at `now` with the given actions; statuses and findings empty unless given. */
export function plan(now: string, actions: Action[], extra: Partial<Plan> = {}): Plan {
  return { now, revision: 'rev-1', errors: [], rollouts: [], appliances: [], findings: [], actions, ...extra };
}

export function rolloutStatus(name: string, fields: Partial<RolloutStatus> = {}): RolloutStatus {
  return {
    name,
    release: name,
    version: '1.0.0',
    rollback: false,
    phase: 'Progressing',
    stage: 1,
    stages: 3,
    stageStartedAt: '2026-01-01T00:00:00.000Z',
    counts: { targeted: 0, pending: 0, updating: 0, succeeded: 0, failed: 0, stuck: 0 },
    conditions: [],
    message: '',
    revision: 'rev-1',
    ...fields,
  };
}

export function finding(type: Finding['type'], subject: Partial<Finding>, message = `${type} message`): Finding {
  return { type, severity: 'warning', message, ...subject };
}

/** A State document resembling production: mixed time formats, an optional field, a latch, conditions. */
export function sampleState(): StateDocument {
  return {
    apiVersion: 'muster.dev/v1alpha1',
    kind: 'State',
    exportedAt: '2026-01-31T12:00:00Z',
    appliances: [
      {
        id: 'clinic-a-01',
        lastCheckinAt: '2026-01-31T11:59:45Z',
        agentVersion: '1.0.45',
        imageVersion: '45',
        update: { release: 'v1.0.49', phase: 'downloading', since: '2026-01-25T03:00:00Z', attempt: 1, error: null },
        deferUntil: '2026-02-01T00:00:00+01:00',
        retention: { policyHash: 'a'.repeat(64), lastPrunedAt: '2026-01-31T02:00:00Z', databaseBytes: 80000000, incidents: 3000, oldestIncidentAt: null },
      },
      { id: 'vm-01', lastCheckinAt: '2026-01-29T08:00:00.250+02:00', agentVersion: null, imageVersion: null, update: null, retention: null },
    ],
    rollouts: [
      {
        name: 'v1.0.45',
        stage: 3,
        stageStartedAt: '2026-01-12T00:00:00Z',
        phase: 'Paused',
        conditions: [{ type: 'Ready', status: 'False', reason: 'FailuresExceeded', message: '2 failed', lastTransitionTime: '2026-01-13T00:00:00Z' }],
        assignments: [
          { appliance: 'vm-01', release: 'v1.0.45', at: '2026-01-12T00:00:00Z' },
          { appliance: 'clinic-a-01', release: 'v1.0.45', at: '2026-01-10T00:00:00Z' },
        ],
        latch: { phase: 'Paused', specHash: 'abc', at: '2026-01-13T00:00:00Z' },
        revision: 'r45',
      },
      {
        name: 'v1.0.49',
        stage: 1,
        stageStartedAt: '2026-01-20T00:00:00Z',
        phase: 'Progressing',
        assignments: [{ appliance: 'clinic-a-01', release: 'v1.0.49', at: '2026-01-20T00:00:00Z', previous: { rollout: 'v1.0.45', release: 'v1.0.45' } }],
        latch: null,
        release: 'v1.0.49',
        version: '1.0.49',
        rollback: false,
      },
    ],
    proofs: { pending: [], anchored: 0, expired: 0, failed: 0 },
  };
}
