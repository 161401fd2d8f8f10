import type pg from 'pg';
import { failpoint } from '../failpoints.js';
import type { Plan } from '../reconcile/plan.js';
import { compressJson, parseStoredJson } from './compressed-json.js';
import { shouldSavePlan, type SavedPlanStamp } from './latest-plan.js';
import { applyFindingChanges, findingChanges, FindingRowComparison, type FindingChanges, type OpenFindingRows, type OpenFindings, type OpenFindingsCache } from './finding-changes.js';
import { pgWriteOutbox } from './postgres-outbox.js';
import { pgRecordExpiryCutoff } from './postgres-proofs.js';
import { actionRuns, eventRows, expiredCount, findingFromRow, latchWrite, touchedBy, type ActionRun, type FindingRecord, type FindingRow } from './plan-writes.js';
import { cursorBatches, PG_FETCH_ROWS, rows, withTransaction } from './postgres-rows.js';
import type { ApplyPlanOptions, ApplyPlanResult, EventQuery, SavedPlan, StoredEvent, StoredFinding } from './store.js';

const NOTHING_TOUCHED = { rollouts: [], appliances: [], events: 0, findingsOpened: 0, findingsResolved: 0 };

/**
 * Applies a plan in one transaction guarded by the state version (see Store.applyPlan). The
 * compare-and-increment comes first and locks the version row: a concurrent applier waits, then
 * finds the version moved and writes nothing. Runs of one action type are one statement each.
 */
export async function pgApplyPlan(pool: pg.Pool, plan: Plan, options: ApplyPlanOptions, cache: OpenFindingsCache): Promise<ApplyPlanResult> {
  // Packed before the transaction, which would otherwise stay open (and the version row locked) for
  // the time it takes. Sound because only an apply or an import changes the saved plan, and each
  // bumps the version: if it moved meanwhile, this apply writes nothing.
  const [stamp] = await rows<SavedPlanStamp>(pool, 'SELECT revision, saved_at AS "savedAt" FROM latest_plan WHERE id = 1');
  const packedPlan = shouldSavePlan(plan, options.revision, stamp ?? null) ? await compressJson(plan) : null;
  const known = cache.at(options.expectedVersion);
  let saved: SavedFindings | null = null;
  cache.clear(); // until this transaction has committed, what the table holds is not known here
  const result = await withTransaction(pool, async (client): Promise<ApplyPlanResult> => {
    const [bumped] = await rows<{ version: number }>(
      client,
      'UPDATE state_version SET version = version + 1 WHERE id = 1 AND version = $1 RETURNING version',
      [options.expectedVersion],
    );
    if (!bumped) {
      const [current] = await rows<{ version: number }>(client, 'SELECT version FROM state_version WHERE id = 1');
      return { applied: false, version: current?.version ?? 0, touched: NOTHING_TOUCHED };
    }
    let proofsExpired = 0;
    for (const run of actionRuns(plan.actions)) {
      proofsExpired += await applyRun(client, run, plan.now);
      failpoint('plan-apply');
    }
    const events = await insertEvents(client, plan, options.revision);
    await rows(
      client,
      `UPDATE rollouts r SET conditions = u.conditions::json, revision = u.revision, release = u.release,
         version = COALESCE(u.version, r.version), rollback = u.rollback
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[]) AS u(name, conditions, revision, release, version, rollback)
       WHERE r.name = u.name`,
      [
        plan.rollouts.map((r) => r.name),
        plan.rollouts.map((r) => JSON.stringify(r.conditions)),
        plan.rollouts.map((r) => r.revision),
        plan.rollouts.map((r) => r.release),
        plan.rollouts.map((r) => r.version || null),
        plan.rollouts.map((r) => r.rollback),
      ],
    );
    saved = await saveFindings(client, plan, known);
    const { findingsOpened, findingsResolved } = saved;
    const notifications = options.notify?.notifiers.length ? await pgWriteOutbox(client, plan, saved.changes, options.notify) : undefined;
    if (packedPlan !== null) {
      await rows(
        client,
        `INSERT INTO latest_plan (id, plan, packed, revision, version, saved_at) VALUES (1, NULL, $1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET plan = NULL, packed = excluded.packed, revision = excluded.revision, version = excluded.version,
           saved_at = excluded.saved_at`,
        [packedPlan, options.revision, bumped.version, plan.now],
      );
    }
    const counts = { events, findingsOpened, findingsResolved, ...expiredCount(plan, proofsExpired), ...(notifications === undefined ? {} : { notifications }) };
    return { applied: true, version: bumped.version, touched: { ...touchedBy(plan.actions), ...counts } };
  });
  if (saved) cache.set(result.version, (saved as SavedFindings).open);
  return result;
}

async function applyRun(client: pg.ClientBase, run: ActionRun, now: string): Promise<number> {
  switch (run.type) {
    case 'AssignRelease': {
      // A new assignment of the same appliance replaces the old one and goes to the end, as in applyPlanToState.
      const latest = new Map<string, (typeof run.actions)[number]>();
      for (const a of run.actions) {
        const key = `${a.rollout}\u0000${a.appliance}`;
        latest.delete(key); // the later action takes the later place
        latest.set(key, a);
      }
      const unique = [...latest.values()];
      await ensureRollouts(client, unique.map((a) => a.rollout), now);
      await withdraw(client, unique);
      await rows(
        client,
        `INSERT INTO assignments (rollout, appliance, release, at, previous)
         SELECT u.rollout, u.appliance, u.release, $4, u.previous::json
         FROM unnest($1::text[], $2::text[], $3::text[], $5::text[]) WITH ORDINALITY AS u(rollout, appliance, release, previous, n)
         ORDER BY u.n`,
        [
          unique.map((a) => a.rollout),
          unique.map((a) => a.appliance),
          unique.map((a) => a.release),
          now,
          unique.map((a) => (a.previous ? JSON.stringify(a.previous) : null)),
        ],
      );
      return 0;
    }
    case 'WithdrawRelease':
      await withdraw(client, run.actions);
      return 0;
    case 'AdvanceStage':
      await ensureRollouts(client, run.actions.map((a) => a.rollout), now);
      for (const a of run.actions) {
        await rows(client, 'UPDATE rollouts SET stage = $1, stage_started_at = $2 WHERE name = $3', [a.to, a.startedAt, a.rollout]);
      }
      return 0;
    case 'SetPhase':
      for (const a of run.actions) {
        await rows(
          client,
          `INSERT INTO rollouts (name, stage, stage_started_at, phase) VALUES ($1, 1, $2, $3)
           ON CONFLICT (name) DO UPDATE SET phase = excluded.phase`,
          [a.rollout, now, a.phase],
        );
        const latch = latchWrite(a, now);
        if (latch.set) await rows(client, 'UPDATE rollouts SET latch = $1::json WHERE name = $2', [latch.json, a.rollout]);
      }
      return 0;
    case 'ExpireProofs': {
      // Only the cutoff, here, so it commits with the event: a re-plan after a crash sees the proofs
      // expired and plans nothing again. Their rows are rewritten in batches after this transaction.
      let expired = 0;
      for (const a of run.actions) expired += await pgRecordExpiryCutoff(client, new Date(a.olderThan));
      return expired;
    }
  }
}

/** Rollouts an action names but the store lacks start Pending at stage 1, started at the plan's `now`. */
async function ensureRollouts(client: pg.ClientBase, names: string[], now: string): Promise<void> {
  await rows(
    client,
    `INSERT INTO rollouts (name, stage, stage_started_at, phase) SELECT DISTINCT u.name, 1, $2, 'Pending' FROM unnest($1::text[]) AS u(name)
     ON CONFLICT (name) DO NOTHING`,
    [names, now],
  );
}

async function withdraw(client: pg.ClientBase, actions: readonly { rollout: string; appliance: string }[]): Promise<void> {
  await rows(
    client,
    `DELETE FROM assignments a USING unnest($1::text[], $2::text[]) AS w(rollout, appliance)
     WHERE a.rollout = w.rollout AND a.appliance = w.appliance`,
    [actions.map((a) => a.rollout), actions.map((a) => a.appliance)],
  );
}

async function insertEvents(client: pg.ClientBase, plan: Plan, revision: string | null): Promise<number> {
  const events = eventRows(plan, revision);
  if (events.length === 0) return 0;
  await rows(
    client,
    `INSERT INTO events (at, revision, type, rollout, appliance, detail)
     SELECT $1, $2, u.type, u.rollout, u.appliance, u.detail::json
     FROM unnest($3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS u(type, rollout, appliance, detail, n) ORDER BY u.n`,
    [plan.now, revision, events.map((e) => e.type), events.map((e) => e.rollout), events.map((e) => e.appliance), events.map((e) => e.detail)],
  );
  return events.length;
}

/**
 * Writes what changed in the findings (see finding-changes.ts), one statement per kind of change:
 * new and reopened findings (first seen = now), changed ones, stale last seen, and resolutions.
 * Returns the open findings after the writes.
 */
async function saveFindings(client: pg.ClientBase, plan: Plan, known: OpenFindings | null): Promise<SavedFindings> {
  const changes = known ? findingChanges(plan.findings, known, plan.now) : await changesFromOpenRows(client, plan);
  if (changes.open.length) {
    const column = <K extends keyof FindingRow>(key: K) => changes.open.map((f) => f[key]);
    await rows(
      client,
      `INSERT INTO findings AS f (key, type, severity, appliance, rollout, policy, calendar, since, message, first_seen, last_seen, resolved_at)
       SELECT u.key, u.type, u.severity, u.appliance, u.rollout, u.policy, u.calendar, u.since, u.message, $10, $10, NULL
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
         AS u(key, type, severity, appliance, rollout, policy, calendar, since, message)
       ON CONFLICT (key) DO UPDATE SET severity = excluded.severity, since = excluded.since, message = excluded.message,
         first_seen = excluded.first_seen, last_seen = excluded.last_seen, resolved_at = NULL`,
      [
        column('key'),
        column('type'),
        column('severity'),
        column('appliance'),
        column('rollout'),
        column('policy'),
        column('calendar'),
        column('since'),
        column('message'),
        plan.now,
      ],
    );
  }
  if (changes.change.length) {
    const column = <K extends keyof FindingRow>(key: K) => changes.change.map((f) => f[key]);
    await rows(
      client,
      `UPDATE findings f SET severity = u.severity, since = u.since, message = u.message, last_seen = $5
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS u(key, severity, since, message) WHERE f.key = u.key`,
      [column('key'), column('severity'), column('since'), column('message'), plan.now],
    );
  }
  if (changes.resolve.length) {
    await rows(client, 'UPDATE findings SET resolved_at = $1 WHERE key = ANY($2::text[]) AND resolved_at IS NULL', [plan.now, changes.resolve]);
  }
  // A pass touches only when it refreshes every open finding it did not write: the rows still open
  // now, in one statement, rather than their keys sent as an array (133,000 at 100,000 appliances).
  if (changes.touch.length) await rows(client, 'UPDATE findings SET last_seen = $1 WHERE resolved_at IS NULL AND last_seen <> $1', [plan.now]);
  return { open: applyFindingChanges(changes, plan.now), changes, findingsOpened: changes.open.length, findingsResolved: changes.resolve.length };
}

interface SavedFindings {
  /** The open findings once the transaction commits. */
  open: OpenFindings;
  changes: FindingChanges;
  findingsOpened: number;
  findingsResolved: number;
}

type OpenFindingRow = { key: string; severity: string; since: string | null; message: string; lastSeen: string };

/**
 * The changes against the open findings' rows, read through a cursor PG_FETCH_ROWS at a time and
 * compared as they come: at 100,000 appliances a result of every open row (300,000 of them in the
 * `memory` benchmark) set the controller's peak in the first pass after a start.
 */
async function changesFromOpenRows(client: pg.ClientBase, plan: Plan): Promise<FindingChanges> {
  const comparison = new FindingRowComparison(plan.findings, plan.now);
  const open = 'SELECT key, severity, since, message, last_seen AS "lastSeen" FROM findings WHERE resolved_at IS NULL';
  for await (const batch of cursorBatches<OpenFindingRow>(client, 'open_findings', open, PG_FETCH_ROWS)) comparison.add(openFindingRows(batch));
  return comparison.changes();
}

function* openFindingRows(found: Iterable<OpenFindingRow>): OpenFindingRows {
  for (const r of found) yield [r.key, r, r.lastSeen];
}

/** The last applied plan, or null. */
export async function pgLatestPlan(pool: pg.Pool): Promise<SavedPlan | null> {
  const [row] = await rows<{ plan: string | null; packed: Buffer | null; revision: string | null; version: number; saved_at: string }>(
    pool,
    'SELECT plan::text AS plan, packed, revision, version, saved_at FROM latest_plan WHERE id = 1',
  );
  if (!row) return null;
  return { plan: parseStoredJson((row.packed ?? row.plan) as Buffer | string) as Plan, revision: row.revision, version: row.version, savedAt: row.saved_at };
}

/** Events newest first, filtered by rollout and/or appliance. */
export async function pgListEvents(pool: pg.Pool, query: EventQuery): Promise<StoredEvent[]> {
  const found = await rows<Omit<StoredEvent, 'id' | 'detail'> & { id: string; detail: string }>(
    pool,
    `SELECT id, at, revision, type, rollout, appliance, detail::text AS detail FROM events
     WHERE ($1::text IS NULL OR rollout = $1) AND ($2::text IS NULL OR appliance = $2)
     ORDER BY id DESC LIMIT $3`,
    [query.rollout ?? null, query.appliance ?? null, query.limit],
  );
  return found.map((r) => ({ ...r, id: Number(r.id), detail: JSON.parse(r.detail) }));
}

/** Findings, open ones first (then by first seen and key). */
export async function pgListFindings(pool: pg.Pool, options: { includeResolved?: boolean }): Promise<StoredFinding[]> {
  const found = await rows<FindingRecord>(
    pool,
    `SELECT key, type, severity, appliance, rollout, policy, calendar, since, message, first_seen AS "firstSeen", last_seen AS "lastSeen",
            resolved_at AS "resolvedAt"
     FROM findings WHERE ($1 OR resolved_at IS NULL)
     ORDER BY resolved_at IS NOT NULL, first_seen COLLATE "C", key COLLATE "C"`,
    [options.includeResolved ?? false],
  );
  return found.map(findingFromRow);
}
