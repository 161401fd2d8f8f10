import type pg from 'pg';
import type { ApplianceObservation, StateDocument } from '../observed/state-schema.js';
import {
  addAssignments,
  applianceRowFromDocument,
  proofCounts,
  rolloutDocumentsOf,
  rolloutRowsFromDocument,
  stateDocument,
  type ApplianceRow,
  type AssignmentRow,
  type AssignmentsByRollout,
  type ProofCountRows,
  type RolloutRow,
} from './observed-document.js';
import { ObservationReader } from './observation-reader.js';
import { settledTotals } from './proof-rows.js';
import { PG_PENDING } from './postgres-proofs.js';
import { cursorBatches, PG_APPLIANCE_SELECT, PG_FETCH_ROWS, rows, withTransaction, type Queryable } from './postgres-rows.js';
import type { ObservedSnapshot } from './store.js';

/** Every appliance's row, by id in byte order: a pass's largest read, fetched PG_FETCH_ROWS rows at a time. */
export const PG_READ_FLEET_SQL = `SELECT ${PG_APPLIANCE_SELECT} FROM appliances ORDER BY id COLLATE "C"`;

/** Reads the State document and its version in one REPEATABLE READ snapshot. */
export async function pgLoadObserved(pool: pg.Pool, now: Date): Promise<ObservedSnapshot> {
  return withTransaction(
    pool,
    async (client) => {
      const [versionRow] = await rows<{ version: number }>(client, 'SELECT version FROM state_version WHERE id = 1');
      const reader = new ObservationReader();
      const appliances: ApplianceObservation[] = [];
      for await (const batch of cursorBatches<ApplianceRow>(client, 'fleet', PG_READ_FLEET_SQL, PG_FETCH_ROWS)) {
        for (const row of batch) appliances.push(reader.document(row));
      }
      const rollouts = await rows<RolloutRow>(
        client,
        `SELECT name, stage, stage_started_at AS "stageStartedAt", phase, conditions::text AS conditions, latch::text AS latch, revision, release, version, rollback
         FROM rollouts ORDER BY name COLLATE "C"`,
      );
      const byRollout: AssignmentsByRollout = new Map();
      const assignments = 'SELECT rollout, appliance, release, at, previous::text AS previous FROM assignments ORDER BY seq';
      for await (const batch of cursorBatches<AssignmentRow>(client, 'assigned', assignments, PG_FETCH_ROWS)) addAssignments(byRollout, batch, reader);
      const proofs = proofCounts(await pgProofCountRows(client));
      return {
        state: stateDocument(now, appliances, rolloutDocumentsOf(rollouts, byRollout), proofs),
        version: versionRow?.version ?? 0,
      };
    },
    'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
  );
}

async function pgProofCountRows(db: Queryable): Promise<ProofCountRows> {
  const pendingByMinute = await rows<ProofCountRows['pendingByMinute'][number]>(
    db,
    `SELECT (floor(extract(epoch FROM created_at) / 60) * 60000)::float8 AS "minuteMs", count(*)::int AS count
     FROM ots_proofs WHERE ${PG_PENDING} GROUP BY 1`,
  );
  const counters = await rows<{ status: string; count: number }>(db, 'SELECT status, count::int AS count FROM ots_proof_counts');
  const totals = settledTotals(counters, pendingByMinute);
  const notFound = await rows<ProofCountRows['notFound'][number]>(
    db,
    `SELECT c.key AS calendar, count(*)::int AS count, min(c.value->>'since') AS since
     FROM ots_proofs p, jsonb_each(p.calendars) c
     WHERE p.not_found AND p.status IN ('pending', 'expired') AND c.value->>'answer' = 'notFound'
     GROUP BY c.key`,
  );
  return { pendingByMinute, totals, notFound };
}

/** Replaces appliances, rollouts and assignments with the document's in one transaction; bumps the version. */
export async function pgImportState(pool: pg.Pool, doc: StateDocument): Promise<{ version: number }> {
  const appliances = doc.appliances.map(applianceRowFromDocument);
  const rollouts = doc.rollouts.map(rolloutRowsFromDocument);
  const assignments = rollouts.flatMap((r) => r.assignments);
  const of = <T, K extends keyof T>(list: T[], key: K) => list.map((item) => item[key]);
  return withTransaction(pool, async (client) => {
    // Locks in the order a plan's apply takes them (the state version first), and holds check-ins
    // back meanwhile, so an import beside a running controller waits instead of deadlocking.
    await rows(client, 'SELECT version FROM state_version WHERE id = 1 FOR UPDATE');
    await rows(client, 'LOCK TABLE appliances IN EXCLUSIVE MODE');
    await rows(client, 'DELETE FROM appliances');
    await rows(client, 'DELETE FROM assignments');
    await rows(client, 'DELETE FROM rollouts');
    await rows(
      client,
      `INSERT INTO appliances (id, last_checkin_at, agent_version, image_version, update_report, defer_until, retention)
       SELECT u.id, u.at, u.agent, u.image, u.upd::json, u.defer, u.ret::json
       FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS u(id, at, agent, image, upd, defer, ret)`,
      [
        of(appliances, 'id'),
        appliances.map((a) => new Date(a.lastCheckinMs).toISOString()),
        of(appliances, 'agentVersion'),
        of(appliances, 'imageVersion'),
        of(appliances, 'update'),
        of(appliances, 'deferUntil'),
        of(appliances, 'retention'),
      ],
    );
    const rolloutRows = rollouts.map((r) => r.rollout);
    await rows(
      client,
      `INSERT INTO rollouts (name, stage, stage_started_at, phase, conditions, latch, revision, release, version, rollback)
       SELECT u.name, u.stage, u.started, u.phase, u.conditions::json, u.latch::json, u.revision, u.release, u.version, u.rollback
       FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::boolean[])
         AS u(name, stage, started, phase, conditions, latch, revision, release, version, rollback)`,
      [
        of(rolloutRows, 'name'),
        of(rolloutRows, 'stage'),
        of(rolloutRows, 'stageStartedAt'),
        of(rolloutRows, 'phase'),
        of(rolloutRows, 'conditions'),
        of(rolloutRows, 'latch'),
        of(rolloutRows, 'revision'),
        of(rolloutRows, 'release'),
        of(rolloutRows, 'version'),
        of(rolloutRows, 'rollback'),
      ],
    );
    await rows(
      client,
      `INSERT INTO assignments (rollout, appliance, release, at, previous)
       SELECT u.rollout, u.appliance, u.release, u.at, u.previous::json
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS u(rollout, appliance, release, at, previous, n) ORDER BY u.n`,
      [of(assignments, 'rollout'), of(assignments, 'appliance'), of(assignments, 'release'), of(assignments, 'at'), of(assignments, 'previous')],
    );
    const [row] = await rows<{ version: number }>(client, 'UPDATE state_version SET version = version + 1 WHERE id = 1 RETURNING version');
    return { version: row?.version ?? 0 };
  });
}
