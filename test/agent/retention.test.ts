import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildIncidentsDatabase } from '../helpers/incidents-fixture.js';
import { createIncidentsRetention } from '../../agent/retention/incidents-retention.js';
import { pruneIncidents } from '../../agent/retention/prune.js';
import { retentionDue } from '../../agent/retention/schedule.js';
import { retentionPolicyHash } from '../../controller/desired/canonical.js';
import { AgentFixture } from './helpers/agent-fixture.js';
import { eventually } from '../helpers/eventually.js';

const NOW = Date.parse('2026-02-02T12:00:00Z');
const DAY = 86_400_000;

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'muster-incidents-'));
  path = join(dir, 'incidents.db');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** What a prune with this policy must leave, computed independently with plain SQL before it runs. */
function expectation(db: Database.Database, retainDays: number, keepUnresolved: boolean) {
  const cutoff = new Date(NOW - retainDays * DAY).toISOString();
  const keep = `created_at >= '${cutoff}'${keepUnresolved ? ' OR resolved_at IS NULL' : ''}`;
  const ids = (sql: string) => (db.prepare(sql).pluck().all() as (number | string)[]).sort();
  return {
    incidents: ids(`SELECT id FROM incidents WHERE ${keep}`),
    feedback: ids(`SELECT id FROM learning_feedback WHERE incident_id IN (SELECT id FROM incidents WHERE ${keep})`),
    patterns: ids(`SELECT DISTINCT pattern_id FROM incidents WHERE (${keep}) AND pattern_id IS NOT NULL`),
    oldUnresolved: db.prepare(`SELECT COUNT(*) FROM incidents WHERE created_at < '${cutoff}' AND resolved_at IS NULL`).pluck().get() as number,
  };
}

function contents(db: Database.Database) {
  const ids = (sql: string) => (db.prepare(sql).pluck().all() as (number | string)[]).sort();
  return {
    incidents: ids('SELECT id FROM incidents'),
    feedback: ids('SELECT id FROM learning_feedback'),
    patterns: ids('SELECT pattern_id FROM pattern_stats'),
  };
}

describe('pruning an incidents database', () => {
  it('removes old incidents with their feedback and orphaned pattern stats, keeping unresolved ones', async () => {
    const built = buildIncidentsDatabase(path, { incidents: 40_000, now: NOW, seed: 7 });
    const db = new Database(path);
    const want = expectation(db, 30, true);
    const before = contents(db);
    expect(before.incidents).toHaveLength(40_000);
    expect(built.feedback).toBe(before.feedback.length);
    // The fixture must exercise every rule: old unresolved incidents, and patterns only old incidents had.
    expect(want.oldUnresolved).toBeGreaterThan(100);
    expect(want.incidents.length).toBeLessThan(before.incidents.length * 0.8);
    expect(want.patterns.length).toBeLessThan(before.patterns.length);

    const result = await pruneIncidents(db, { retainDays: 30, keepUnresolved: true, vacuum: true }, NOW, { batchSize: 1_000 });
    const after = contents(db);

    expect(after).toEqual({ incidents: want.incidents, feedback: want.feedback, patterns: want.patterns });
    expect(result).toMatchObject({
      cutoff: '2026-01-03T12:00:00.000Z',
      incidents: before.incidents.length - want.incidents.length,
      feedback: before.feedback.length - want.feedback.length,
      patternStats: before.patterns.length - want.patterns.length,
      vacuumed: true,
    });
    expect(result.batches).toBe(Math.ceil(result.incidents / 1_000));
    expect(db.prepare(`SELECT COUNT(*) FROM incidents WHERE resolved_at IS NULL AND created_at < ?`).pluck().get(result.cutoff)).toBe(
      want.oldUnresolved,
    );
    expect(db.pragma('freelist_count', { simple: true })).toBe(0);
    db.close();
  });

  it('removes old unresolved incidents too when keepUnresolved is false, and skips VACUUM when not asked', async () => {
    buildIncidentsDatabase(path, { incidents: 20_000, now: NOW, seed: 3 });
    const db = new Database(path);
    const want = expectation(db, 14, false);
    const result = await pruneIncidents(db, { retainDays: 14, keepUnresolved: false, vacuum: false }, NOW);
    expect(contents(db)).toEqual({ incidents: want.incidents, feedback: want.feedback, patterns: want.patterns });
    expect(db.prepare('SELECT COUNT(*) FROM incidents WHERE created_at < ?').pluck().get(result.cutoff)).toBe(0);
    expect(result.vacuumed).toBe(false);
    expect(db.pragma('freelist_count', { simple: true })).toBeGreaterThan(0);
    db.close();
  });

  it('deletes nothing the second time at the same instant', async () => {
    buildIncidentsDatabase(path, { incidents: 5_000, now: NOW, seed: 5 });
    const db = new Database(path);
    const policy = { retainDays: 30, keepUnresolved: true, vacuum: false };
    await pruneIncidents(db, policy, NOW);
    expect(await pruneIncidents(db, policy, NOW)).toMatchObject({ incidents: 0, feedback: 0, patternStats: 0 });
    db.close();
  });

  it('measures what the agent reports: bytes on disk, incident count, oldest incident', async () => {
    buildIncidentsDatabase(path, { incidents: 2_000, now: NOW, seed: 9 });
    const db = new Database(path);
    const oldest = db.prepare('SELECT MIN(created_at) FROM incidents').pluck().get() as string;
    db.close();
    const measure = await createIncidentsRetention(path).measure();
    expect(measure).toEqual({ databaseBytes: expect.any(Number), incidents: 2_000, oldestIncidentAt: `${oldest.slice(0, 19)}Z` });
    expect(measure!.databaseBytes).toBeGreaterThanOrEqual(statSync(path).size);
    expect(await createIncidentsRetention(join(dir, 'missing.db')).measure()).toBeNull();
  });
});

describe('when to prune', () => {
  const policy = { retainDays: 30, keepUnresolved: true, pruneEverySeconds: 86_400, vacuum: true };
  const grant = { policy, policyHash: retentionPolicyHash(policy) };
  it.each([
    { name: 'never applied', given: { appliedPolicyHash: null, lastPrunedAt: null }, want: { kind: 'prune', reason: 'new policy' } },
    { name: 'a different policy applied', given: { appliedPolicyHash: 'f'.repeat(64), lastPrunedAt: NOW }, want: { kind: 'prune', reason: 'new policy' } },
    { name: 'pruned an hour ago', given: { appliedPolicyHash: grant.policyHash, lastPrunedAt: NOW - 3_600_000 }, want: { kind: 'later', at: NOW + 23 * 3_600_000 } },
    { name: 'pruned a day ago', given: { appliedPolicyHash: grant.policyHash, lastPrunedAt: NOW - DAY }, want: { kind: 'prune', reason: 'pruneEvery elapsed' } },
  ])('$name', ({ given, want }) => {
    expect(retentionDue(grant, given, NOW)).toEqual(want);
  });

  it('refuses a policy whose hash does not match it', () => {
    const due = retentionDue({ policy, policyHash: '0'.repeat(64) }, { appliedPolicyHash: null, lastPrunedAt: null }, NOW);
    expect(due.kind).toBe('invalid');
  });
});

describe('the agent applying the handed-down policy', () => {
  let f: AgentFixture;
  beforeEach(async () => {
    f = await new AgentFixture().start();
  });
  afterEach(async () => {
    await f.close();
  });

  it('prunes at once, reports the policy hash and the database, and prunes again every pruneEvery', async () => {
    const incidents = join(f.dir, 'incidents.db');
    buildIncidentsDatabase(incidents, { incidents: 10_000, now: f.clock.now(), seed: 11 });
    const policy = { retainDays: 30, keepUnresolved: true, pruneEverySeconds: 6 * 3600, vacuum: true };
    const policyHash = retentionPolicyHash(policy);
    f.answer(null, { policy, policyHash }, 600);
    const agent = f.agent({ incidentsDb: incidents });
    agent.start();

    const report = await eventually(() => f.server.received.find((r) => r.body.retention?.policyHash === policyHash)?.body, {
      clock: f.clock,
      quiet: () => !agent.busy,
    });
    const db = new Database(incidents, { readonly: true });
    const count = db.prepare('SELECT COUNT(*) FROM incidents').pluck().get() as number;
    db.close();
    expect(count).toBeLessThan(10_000);
    expect(report.retention).toEqual({
      policyHash,
      lastPrunedAt: '2026-02-02T12:00:00.000Z',
      databaseBytes: statSync(incidents).size,
      incidents: count,
      oldestIncidentAt: expect.stringMatching(/^2026-01-0[0-9]T|^2025-/),
    });
    // Before the first prune the agent said it had applied nothing.
    expect(f.server.received[0]?.body.retention?.policyHash).toBeNull();

    await eventually(() => f.events.filter((e) => e.type === 'prune').length >= 3, { clock: f.clock, quiet: () => !agent.busy });
    const prunes = f.events.flatMap((e) => (e.type === 'prune' ? [e.at] : []));
    expect(prunes.slice(1).map((at, i) => at - prunes[i]!)).toEqual([6 * 3_600_000, 6 * 3_600_000]);
  });

  it('never applies a policy whose hash does not match, and keeps reporting the old hash', async () => {
    const incidents = join(f.dir, 'incidents.db');
    buildIncidentsDatabase(incidents, { incidents: 1_000, now: f.clock.now(), seed: 2 });
    const policy = { retainDays: 1, keepUnresolved: false, pruneEverySeconds: 60, vacuum: false };
    f.answer(null, { policy, policyHash: 'e'.repeat(64) });
    const agent = f.agent({ incidentsDb: incidents });
    agent.start();
    await eventually(() => f.events.some((e) => e.type === 'retention-error'), { clock: f.clock, quiet: () => !agent.busy });
    await eventually(() => f.server.received.length >= 3, { clock: f.clock, quiet: () => !agent.busy });
    expect(f.events.some((e) => e.type === 'prune')).toBe(false);
    expect(f.lastReport()?.retention).toMatchObject({ policyHash: null, lastPrunedAt: null, incidents: 1_000 });
  });
});
