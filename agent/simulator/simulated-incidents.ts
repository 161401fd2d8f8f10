import { isoTime } from '../../lib/clock.js';
import type { RetentionPort } from '../retention/incidents-retention.js';

const DAY_MS = 86_400_000;
const BYTES_PER_INCIDENT = 1_800;

/**
 * A simulated appliance's incidents database: a count, an oldest incident and a size that a prune
 * shrinks, so retention reports look like a real fleet's without a SQLite file per appliance.
 */
export function simulatedIncidents(seed: number, createdAt: number): RetentionPort {
  let incidents = 2_000 + (seed % 6_000);
  let oldest = createdAt - (60 + (seed % 120)) * DAY_MS;
  return {
    async measure() {
      return { databaseBytes: 65_536 + incidents * BYTES_PER_INCIDENT, incidents, oldestIncidentAt: isoTime(oldest) };
    },
    async apply(policy, now) {
      const cutoff = now - policy.retainDays * DAY_MS;
      const removed = oldest < cutoff ? Math.floor(incidents * 0.4) : 0;
      incidents -= removed;
      oldest = Math.max(oldest, cutoff);
      return { cutoff: isoTime(cutoff), incidents: removed, feedback: Math.floor(removed / 3), patternStats: 0, batches: 1, vacuumed: policy.vacuum };
    },
  };
}
