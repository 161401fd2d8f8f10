import type { CheckinRequest } from '../../controller/observed/state-schema.js';

/** What every simulated appliance reports: an agent on v1.0.49 with a retention report. */
export const CHECKIN_REPORT: CheckinRequest = {
  agentVersion: '1.0.49',
  imageVersion: '49',
  update: { release: 'v1.0.49', phase: 'succeeded', since: '2026-01-23T02:10:00Z', attempt: 1, error: null },
  retention: {
    policyHash: 'd94818104dd0a971a3c3020b03496336f2659c5fd656ce975f369b64cbf5bb65',
    lastPrunedAt: '2026-01-31T03:00:00Z',
    databaseBytes: 52428800,
    incidents: 1200,
    oldestIncidentAt: '2026-01-01T09:12:00Z',
  },
};
