import type Database from 'better-sqlite3';
import { failpoint } from '../failpoints.js';
import type { Plan } from '../reconcile/plan.js';
import { compressJson, parseStoredJson } from './compressed-json.js';
import { shouldSavePlan, type SavedPlanStamp } from './latest-plan.js';
import { applyFindingChanges, findingChanges, findingChangesFromRows, type FindingChanges, type OpenFindingRows, type OpenFindingsCache } from './finding-changes.js';
import { sqliteWriteOutbox } from './sqlite-outbox.js';
import { sqliteRecordExpiryCutoff } from './sqlite-proofs.js';
import { actionRuns, eventRows, expiredCount, findingFromRow, latchWrite, touchedBy, type ActionRun, type FindingRecord } from './plan-writes.js';
import type { ApplyPlanOptions, ApplyPlanResult, EventQuery, SavedPlan, StoredEvent, StoredFinding } from './store.js';

/**
 * Applies a plan in one IMMEDIATE transaction guarded by the state version (see Store.applyPlan):
 * the version is compared and incremented first, so a stale plan writes nothing. What takes time at
 * fleet scale — comparing the plan's findings with the open ones, serializing the plan — is done
 * before the write lock is taken, so check-ins committing meanwhile wait only for the writes. That
 * is sound because only an apply or an import changes findings or the saved plan, and each bumps
 * the version: if the version is still the expected one inside the transaction, what was read
 * before it is still what the table holds.
 */
export async function sqliteApplyPlan(db: Database.Database, plan: Plan, options: ApplyPlanOptions, cache: OpenFindingsCache): Promise<ApplyPlanResult> {
  const stamp = db.prepare('SELECT revision, saved_at AS savedAt FROM latest_plan WHERE id = 1').get() as SavedPlanStamp | undefined;
  const planBlob = shouldSavePlan(plan, options.revision, stamp ?? null) ? await compressJson(plan) : null;
  return applyPacked(db, plan, options, cache, planBlob);
}

/** sqliteApplyPlan's writes, the plan packed if it is to be saved: one synchronous transaction. */
function applyPacked(db: Database.Database, plan: Plan, options: ApplyPlanOptions, cache: OpenFindingsCache, planBlob: Buffer | null): ApplyPlanResult {
  const touched = touchedBy(plan.actions);
  const known = cache.at(options.expectedVersion);
  cache.clear(); // until this transaction has committed, what the table holds is not known here
  const changes = known ? findingChanges(plan.findings, known, plan.now) : findingChangesFromRows(plan.findings, openFindingRows(db), plan.now);
  const result = db
    .transaction((): ApplyPlanResult => {
      const version = db
        .prepare('UPDATE state_version SET version = version + 1 WHERE id = 1 AND version = ? RETURNING version')
        .pluck()
        .get(options.expectedVersion) as number | undefined;
      if (version === undefined) {
        const current = db.prepare('SELECT version FROM state_version WHERE id = 1').pluck().get() as number;
        return { applied: false, version: current, touched: { rollouts: [], appliances: [], events: 0, findingsOpened: 0, findingsResolved: 0 } };
      }
      let proofsExpired = 0;
      for (const run of actionRuns(plan.actions)) {
        proofsExpired += applyRun(db, run, plan.now);
        failpoint('plan-apply');
      }
      const events = insertEvents(db, plan, options.revision);
      saveRolloutStatuses(db, plan);
      writeFindingChanges(db, changes, plan.now);
      const notifications = options.notify?.notifiers.length ? sqliteWriteOutbox(db, plan, changes, options.notify) : undefined;
      if (planBlob !== null) {
        db.prepare(
          `INSERT INTO latest_plan (id, plan, revision, version, saved_at) VALUES (1, ?, ?, ?, ?)
           ON CONFLICT (id) DO UPDATE SET plan = excluded.plan, revision = excluded.revision, version = excluded.version, saved_at = excluded.saved_at`,
        ).run(planBlob, options.revision, version, plan.now);
      }
      const counts = { events, findingsOpened: changes.open.length, findingsResolved: changes.resolve.length, ...expiredCount(plan, proofsExpired) };
      return { applied: true, version, touched: { ...touched, ...counts, ...(notifications === undefined ? {} : { notifications }) } };
    })
    .immediate();
  if (result.applied) {
    cache.set(result.version, applyFindingChanges(changes, plan.now));
  }
  return result;
}

function applyRun(db: Database.Database, run: ActionRun, now: string): number {
  switch (run.type) {
    case 'AssignRelease': {
      // A new assignment of the same appliance replaces the old one and goes to the end, as in applyPlanToState.
      const ensure = ensureRollout(db);
      const withdraw = db.prepare('DELETE FROM assignments WHERE rollout = ? AND appliance = ?');
      const assign = db.prepare('INSERT INTO assignments (rollout, appliance, release, at, previous) VALUES (?, ?, ?, ?, ?)');
      for (const a of run.actions) {
        ensure.run(a.rollout, now);
        withdraw.run(a.rollout, a.appliance);
        assign.run(a.rollout, a.appliance, a.release, now, a.previous ? JSON.stringify(a.previous) : null);
      }
      return 0;
    }
    case 'WithdrawRelease': {
      const withdraw = db.prepare('DELETE FROM assignments WHERE rollout = ? AND appliance = ?');
      for (const a of run.actions) withdraw.run(a.rollout, a.appliance);
      return 0;
    }
    case 'AdvanceStage': {
      const ensure = ensureRollout(db);
      const advance = db.prepare('UPDATE rollouts SET stage = ?, stage_started_at = ? WHERE name = ?');
      for (const a of run.actions) {
        ensure.run(a.rollout, now);
        advance.run(a.to, a.startedAt, a.rollout);
      }
      return 0;
    }
    case 'SetPhase': {
      const setPhase = db.prepare(
        `INSERT INTO rollouts (name, stage, stage_started_at, phase) VALUES (?, 1, ?, ?)
         ON CONFLICT (name) DO UPDATE SET phase = excluded.phase`,
      );
      const setLatch = db.prepare('UPDATE rollouts SET latch = ? WHERE name = ?');
      for (const a of run.actions) {
        setPhase.run(a.rollout, now, a.phase);
        const latch = latchWrite(a, now);
        if (latch.set) setLatch.run(latch.json, a.rollout);
      }
      return 0;
    }
    case 'ExpireProofs': {
      // Only the cutoff, here, so it commits with the event: a re-plan after a crash sees the proofs
      // expired and plans nothing again. Their rows are rewritten in batches after this transaction.
      let expired = 0;
      for (const a of run.actions) expired += sqliteRecordExpiryCutoff(db, new Date(a.olderThan));
      return expired;
    }
  }
}

/** A rollout an action names but the store lacks starts Pending at stage 1, started at the plan's `now`. */
function ensureRollout(db: Database.Database): Database.Statement<[string, string]> {
  return db.prepare("INSERT INTO rollouts (name, stage, stage_started_at, phase) VALUES (?, 1, ?, 'Pending') ON CONFLICT (name) DO NOTHING");
}

function insertEvents(db: Database.Database, plan: Plan, revision: string | null): number {
  const insert = db.prepare('INSERT INTO events (at, revision, type, rollout, appliance, detail) VALUES (@at, @revision, @type, @rollout, @appliance, @detail)');
  const rows = eventRows(plan, revision);
  for (const row of rows) insert.run(row);
  return rows.length;
}

function saveRolloutStatuses(db: Database.Database, plan: Plan): void {
  const update = db.prepare(
    'UPDATE rollouts SET conditions = ?, revision = ?, release = ?, version = COALESCE(?, version), rollback = ? WHERE name = ?',
  );
  for (const s of plan.rollouts) update.run(JSON.stringify(s.conditions), s.revision, s.release, s.version || null, s.rollback ? 1 : 0, s.name);
}

/**
 * Writes what changed in the findings (see finding-changes.ts): new and reopened findings (first seen =
 * now), changed ones, resolutions, then stale last seen.
 */
function writeFindingChanges(db: Database.Database, changes: FindingChanges, now: string): void {
  if (changes.open.length) {
    const upsert = db.prepare(
      `INSERT INTO findings (key, type, severity, appliance, rollout, policy, calendar, since, message, first_seen, last_seen, resolved_at)
       VALUES (@key, @type, @severity, @appliance, @rollout, @policy, @calendar, @since, @message, @now, @now, NULL)
       ON CONFLICT (key) DO UPDATE SET severity = excluded.severity, since = excluded.since, message = excluded.message,
         first_seen = excluded.first_seen, last_seen = excluded.last_seen, resolved_at = NULL`,
    );
    for (const row of changes.open) upsert.run({ ...row, now });
  }
  if (changes.change.length) {
    const change = db.prepare('UPDATE findings SET severity = @severity, since = @since, message = @message, last_seen = @now WHERE key = @key');
    for (const row of changes.change) change.run({ key: row.key, severity: row.severity, since: row.since, message: row.message, now });
  }
  if (changes.resolve.length) {
    const resolve = db.prepare('UPDATE findings SET resolved_at = ? WHERE key = ? AND resolved_at IS NULL');
    for (const key of changes.resolve) resolve.run(now, key);
  }
  if (changes.touch.length) db.prepare(TOUCH_STILL_OPEN_SQLITE).run(now, now);
}

/**
 * Last seen = now for every finding still open once the rest is written. A pass touches only when it
 * refreshes them all, and then its touch list is every open finding it did not write: the same rows,
 * in one statement. At 133,000 findings one statement per finding held the write lock, and check-ins
 * waiting on it, about 310 ms; this one about 170 ms (docs/BENCHMARKS.md).
 */
const TOUCH_STILL_OPEN_SQLITE = 'UPDATE findings SET last_seen = ? WHERE resolved_at IS NULL AND last_seen <> ?';

/** The open findings' rows, read one at a time as findingChangesFromRows compares them. */
function* openFindingRows(db: Database.Database): OpenFindingRows {
  const rows = db.prepare('SELECT key, severity, since, message, last_seen FROM findings WHERE resolved_at IS NULL').raw().iterate() as IterableIterator<
    [string, string, string | null, string, string]
  >;
  for (const [key, severity, since, message, lastSeen] of rows) yield [key, { severity, since, message }, lastSeen];
}

/** The last applied plan, or null. */
export function sqliteLatestPlan(db: Database.Database): SavedPlan | null {
  const row = db.prepare('SELECT plan, revision, version, saved_at FROM latest_plan WHERE id = 1').get() as
    | { plan: string | Buffer; revision: string | null; version: number; saved_at: string }
    | undefined;
  return row ? { plan: parseStoredJson(row.plan) as Plan, revision: row.revision, version: row.version, savedAt: row.saved_at } : null;
}

/** Events newest first, filtered by rollout and/or appliance. */
export function sqliteListEvents(db: Database.Database, query: EventQuery): StoredEvent[] {
  const rows = db
    .prepare(
      `SELECT id, at, revision, type, rollout, appliance, detail FROM events
       WHERE (@rollout IS NULL OR rollout = @rollout) AND (@appliance IS NULL OR appliance = @appliance)
       ORDER BY id DESC LIMIT @limit`,
    )
    .all({ rollout: query.rollout ?? null, appliance: query.appliance ?? null, limit: query.limit }) as (Omit<StoredEvent, 'detail'> & {
    detail: string;
  })[];
  return rows.map((r) => ({ ...r, detail: JSON.parse(r.detail) }));
}

/** Findings, open ones first (then by first seen and key). */
export function sqliteListFindings(db: Database.Database, options: { includeResolved?: boolean }): StoredFinding[] {
  const rows = db
    .prepare(
      `SELECT key, type, severity, appliance, rollout, policy, calendar, since, message, first_seen AS firstSeen, last_seen AS lastSeen,
              resolved_at AS resolvedAt
       FROM findings WHERE (? OR resolved_at IS NULL)
       ORDER BY resolved_at IS NOT NULL, first_seen, key`,
    )
    .all(options.includeResolved ? 1 : 0) as FindingRecord[];
  return rows.map(findingFromRow);
}
