import { API_GROUP_VERSION } from '../desired/schema/kinds.js';
import type {
  ApplianceObservation,
  Assignment,
  CheckinRequest,
  Condition,
  ProofCounts,
  RolloutObservation,
  StateDocument,
} from '../observed/state-schema.js';
import { ObservationReader } from './observation-reader.js';
import type { CheckinRecord } from './store.js';

/**
 * The pure half of reading and writing the observed state: rows in a dialect-neutral shape to and
 * from the State document, so both stores produce byte-identical exports.
 */

export interface ApplianceRow {
  id: string;
  /** Milliseconds since the epoch. */
  lastCheckinMs: number;
  agentVersion: string | null;
  imageVersion: string | null;
  /** JSON text as received, or null. */
  update: string | null;
  deferUntil: string | null;
  retention: string | null;
}

export type LatchValue = NonNullable<RolloutObservation['latch']>;

export interface RolloutRow {
  name: string;
  stage: number;
  stageStartedAt: string;
  phase: RolloutObservation['phase'];
  /** JSON text, or null when never set (a cleared latch is the JSON text `null`). */
  conditions: string | null;
  latch: string | null;
  revision: string | null;
  release: string | null;
  version: string | null;
  rollback: boolean | null;
}

export interface AssignmentRow {
  rollout: string;
  appliance: string;
  release: string;
  at: string;
  /** JSON text of the target it replaced, or null. */
  previous: string | null;
}

/** A report as the appliance row it upserts; the appliance comes from the token, not the body. */
export function applianceRowFromCheckin(record: CheckinRecord): ApplianceRow {
  const { report } = record;
  return {
    id: record.appliance,
    lastCheckinMs: record.at.getTime(),
    agentVersion: report.agentVersion,
    imageVersion: report.imageVersion,
    update: report.update === null ? null : JSON.stringify(report.update),
    deferUntil: report.deferUntil ?? null,
    retention: report.retention === null ? null : JSON.stringify(report.retention),
  };
}

/** The report kept in the check-in history: the body without its optional `id`. */
export function historyReport(report: CheckinRequest): string {
  const { id: _id, ...rest } = report;
  return JSON.stringify(rest);
}

/** An appliance row as a State `appliances[]` entry, fields in schema order, `deferUntil` only when set. */
export function applianceDocument(row: ApplianceRow): ApplianceObservation {
  return new ObservationReader().document(row);
}

/** A State `appliances[]` entry as the row it imports to (the check-in time normalized to UTC). */
export function applianceRowFromDocument(doc: ApplianceObservation): ApplianceRow {
  return {
    id: doc.id,
    lastCheckinMs: Date.parse(doc.lastCheckinAt),
    agentVersion: doc.agentVersion,
    imageVersion: doc.imageVersion,
    update: doc.update === null ? null : JSON.stringify(doc.update),
    deferUntil: doc.deferUntil ?? null,
    retention: doc.retention === null ? null : JSON.stringify(doc.retention),
  };
}

/**
 * Rollout rows and their assignments (in the order made) as State `rollouts[]` entries; optional
 * fields (`conditions`, `latch`, `revision`, `release`, `version`, `rollback`, an assignment's
 * `previous`) appear only when set. With the reader that read the appliances, an assignment's strings
 * are shared with theirs (see ObservationReader). The rows may be streamed: each is used once, in order.
 */
export function rolloutDocuments(
  rows: readonly RolloutRow[],
  assignments: Iterable<AssignmentRow>,
  reader: ObservationReader = new ObservationReader(),
): RolloutObservation[] {
  return rolloutDocumentsOf(rows, addAssignments(new Map(), assignments, reader));
}

/** Each rollout's assignments, by rollout name, in the order made. */
export type AssignmentsByRollout = Map<string, Assignment[]>;

/** Adds `assignments` (rows in the order made, read with `reader`) to `byRollout`; returns it. */
export function addAssignments(byRollout: AssignmentsByRollout, assignments: Iterable<AssignmentRow>, reader: ObservationReader): AssignmentsByRollout {
  for (const a of assignments) {
    let list = byRollout.get(a.rollout);
    if (!list) byRollout.set(a.rollout, (list = []));
    list.push(reader.assignment(a));
  }
  return byRollout;
}

/** rolloutDocuments with the assignments already grouped (see addAssignments). */
export function rolloutDocumentsOf(rows: readonly RolloutRow[], byRollout: AssignmentsByRollout): RolloutObservation[] {
  return rows.map((row) => {
    const doc = { name: row.name, stage: row.stage, stageStartedAt: row.stageStartedAt, phase: row.phase } as RolloutObservation;
    if (row.conditions !== null) doc.conditions = JSON.parse(row.conditions) as Condition[];
    doc.assignments = byRollout.get(row.name) ?? [];
    if (row.latch !== null) doc.latch = JSON.parse(row.latch) as LatchValue;
    if (row.revision !== null) doc.revision = row.revision;
    if (row.release !== null) doc.release = row.release;
    if (row.version !== null) doc.version = row.version;
    if (row.rollback !== null) doc.rollback = Boolean(row.rollback);
    return doc;
  });
}

/** A State `rollouts[]` entry as its row and assignment rows. */
export function rolloutRowsFromDocument(doc: RolloutObservation): { rollout: RolloutRow; assignments: AssignmentRow[] } {
  return {
    rollout: {
      name: doc.name,
      stage: doc.stage,
      stageStartedAt: doc.stageStartedAt,
      phase: doc.phase,
      conditions: doc.conditions === undefined ? null : JSON.stringify(doc.conditions),
      // An explicit `latch: null` is kept as JSON null, distinct from a rollout never latched (SQL NULL).
      latch: doc.latch === undefined ? null : JSON.stringify(doc.latch),
      revision: doc.revision ?? null,
      release: doc.release ?? null,
      version: doc.version ?? null,
      rollback: doc.rollback ?? null,
    },
    assignments: doc.assignments.map((a) => ({
      rollout: doc.name,
      appliance: a.appliance,
      release: a.release,
      at: a.at,
      previous: a.previous ? JSON.stringify(a.previous) : null,
    })),
  };
}

export interface ProofCountRows {
  /** Pending proofs per minute of creation (minute start in ms), any order. */
  pendingByMinute: { minuteMs: number; count: number }[];
  totals: { anchored: number; expired: number; failed: number };
  notFound: { calendar: string; count: number; since: string }[];
}

/** Proof counts as the State document carries them: pending by minute ascending, `notFound` only when any. */
export function proofCounts(rows: ProofCountRows): ProofCounts {
  const counts: ProofCounts = {
    pending: [...rows.pendingByMinute]
      .sort((a, b) => a.minuteMs - b.minuteMs)
      .map((p) => ({ createdAt: new Date(p.minuteMs).toISOString(), count: p.count })),
    anchored: rows.totals.anchored,
    expired: rows.totals.expired,
    failed: rows.totals.failed,
  };
  if (rows.notFound.length > 0) counts.notFound = [...rows.notFound].sort((a, b) => (a.calendar < b.calendar ? -1 : 1));
  return counts;
}

/** The State document from its parts. */
export function stateDocument(now: Date, appliances: ApplianceObservation[], rollouts: RolloutObservation[], proofs: ProofCounts): StateDocument {
  return { apiVersion: API_GROUP_VERSION, kind: 'State', exportedAt: now.toISOString(), appliances, rollouts, proofs };
}
