import type Database from 'better-sqlite3';
import type { ApplianceObservation, StateDocument } from '../observed/state-schema.js';
import {
  applianceRowFromDocument,
  proofCounts,
  rolloutDocuments,
  rolloutRowsFromDocument,
  stateDocument,
  type AssignmentRow,
  type ProofCountRows,
  type RolloutRow,
} from './observed-document.js';
import { ObservationReader } from './observation-reader.js';
import { settledTotals } from './proof-rows.js';
import { SQLITE_PENDING } from './sqlite-proofs.js';
import { applianceFromSqlite, SQLITE_APPLIANCE_COLUMNS } from './sqlite-rows.js';
import type { ObservedSnapshot } from './store.js';

const ROLLOUT_SELECT =
  'SELECT name, stage, stage_started_at AS stageStartedAt, phase, conditions, latch, revision, release, version, rollback FROM rollouts ORDER BY name';

/** Reads the State document and its version in one read transaction (one WAL snapshot). */
export function sqliteLoadObserved(db: Database.Database, now: Date): ObservedSnapshot {
  return db.transaction((): ObservedSnapshot => {
    const version = db.prepare('SELECT version FROM state_version WHERE id = 1').pluck().get() as number;
    const reader = new ObservationReader();
    const appliances: ApplianceObservation[] = [];
    // Row by row, as for the assignments below.
    for (const row of db.prepare(`SELECT ${SQLITE_APPLIANCE_COLUMNS} FROM appliances ORDER BY id`).raw().iterate() as IterableIterator<unknown[]>) {
      appliances.push(reader.document(applianceFromSqlite(row)));
    }
    const rollouts = db.prepare(ROLLOUT_SELECT).all() as RolloutRow[];
    // Streamed: a row dies young once read, where a list of all of them would outlive the collector's young generation.
    const assignments = db.prepare('SELECT rollout, appliance, release, at, previous FROM assignments ORDER BY seq').iterate() as IterableIterator<AssignmentRow>;
    const rolloutDocs = rolloutDocuments(rollouts, assignments, reader);
    const proofs = proofCounts(sqliteProofCountRows(db));
    return { state: stateDocument(now, appliances, rolloutDocs, proofs), version };
  })();
}

function sqliteProofCountRows(db: Database.Database): ProofCountRows {
  const pendingByMinute = db
    .prepare(`SELECT (created_at / 60000) * 60000 AS minuteMs, count(*) AS count FROM ots_proofs WHERE ${SQLITE_PENDING} GROUP BY 1`)
    .all() as ProofCountRows['pendingByMinute'];
  const counters = db.prepare('SELECT status, count FROM ots_proof_counts').all() as { status: string; count: number }[];
  const totals = settledTotals(counters, pendingByMinute);
  const notFound = db
    .prepare(
      `SELECT c.key AS calendar, count(*) AS count, min(json_extract(c.value, '$.since')) AS since
       FROM ots_proofs p, json_each(p.calendars) c
       WHERE p.not_found = 1 AND p.status IN ('pending', 'expired') AND json_extract(c.value, '$.answer') = 'notFound'
       GROUP BY c.key`,
    )
    .all() as ProofCountRows['notFound'];
  return { pendingByMinute, totals, notFound };
}

/** Replaces appliances, rollouts and assignments with the document's in one transaction; bumps the version. */
export function sqliteImportState(db: Database.Database, doc: StateDocument): { version: number } {
  const insertAppliance = db.prepare(
    `INSERT INTO appliances (${SQLITE_APPLIANCE_COLUMNS}) VALUES (@id, @lastCheckinMs, @agentVersion, @imageVersion, @update, @deferUntil, @retention)`,
  );
  const insertRollout = db.prepare(
    `INSERT INTO rollouts (name, stage, stage_started_at, phase, conditions, latch, revision, release, version, rollback)
     VALUES (@name, @stage, @stageStartedAt, @phase, @conditions, @latch, @revision, @release, @version, @rollback)`,
  );
  const insertAssignment = db.prepare('INSERT INTO assignments (rollout, appliance, release, at, previous) VALUES (@rollout, @appliance, @release, @at, @previous)');
  return db
    .transaction((): { version: number } => {
      db.exec('DELETE FROM appliances; DELETE FROM assignments; DELETE FROM rollouts;');
      for (const appliance of doc.appliances) insertAppliance.run(applianceRowFromDocument(appliance));
      for (const rollout of doc.rollouts) {
        const rows = rolloutRowsFromDocument(rollout);
        insertRollout.run({ ...rows.rollout, rollback: rows.rollout.rollback === null ? null : Number(rows.rollout.rollback) });
        for (const assignment of rows.assignments) insertAssignment.run(assignment);
      }
      const version = db.prepare('UPDATE state_version SET version = version + 1 WHERE id = 1 RETURNING version').pluck().get() as number;
      return { version };
    })
    .immediate();
}
