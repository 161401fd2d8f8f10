import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Action } from '../../controller/reconcile/plan.js';
import { batched } from '../../controller/store/batches.js';
import { checkinWrites, historyCandidates } from '../../controller/store/checkin-writes.js';
import { isPostgresUrl } from '../../controller/store/open-store.js';
import { actionRuns, findingKey, latchWrite } from '../../controller/store/plan-writes.js';
import { isUnavailable } from '../../controller/store/postgres-errors.js';
import { redactUrl } from '../../controller/store/postgres-store.js';
import { looksLikeToken, newToken, tokenHash } from '../../controller/store/tokens.js';
import { report } from './builders.js';

describe('choosing the store from --db', () => {
  const rows = [
    { name: 'postgres URL', given: 'postgres://u:p@db:5432/muster', want: true },
    { name: 'postgresql URL', given: 'postgresql://db/muster', want: true },
    { name: 'upper-case scheme', given: 'POSTGRES://db/muster', want: true },
    { name: 'relative SQLite path', given: './muster.db', want: false },
    { name: 'absolute SQLite path', given: '/var/lib/muster/muster.db', want: false },
    { name: 'a file named like a scheme', given: 'postgres.db', want: false },
  ];
  for (const { name, given, want } of rows) it(name, () => expect(isPostgresUrl(given)).toBe(want));

  it('hides the password when describing a PostgreSQL store', () => {
    expect(redactUrl('postgres://muster:s3cret@db:5432/muster')).toBe('postgres://muster:***@db:5432/muster');
    expect(redactUrl('postgres://db/muster')).toBe('postgres://db/muster');
  });
});

describe('tokens', () => {
  it('are mst_ and 32 random bytes in base64url, stored as a sha256', () => {
    const [a, b] = [newToken(), newToken()];
    expect(looksLikeToken(a)).toBe(true);
    expect(a).not.toBe(b);
    expect(Buffer.from(a.slice(4), 'base64url')).toHaveLength(32);
    expect(tokenHash(a)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('what a plan writes', () => {
  const phase = (latch?: { phase: 'Paused' | 'Aborted'; specHash: string } | null, p: 'Paused' | 'Aborted' | 'Progressing' = 'Paused') =>
    ({ type: 'SetPhase', rollout: 'r', phase: p, from: null, ...(latch === undefined ? {} : { latch }) }) as Extract<Action, { type: 'SetPhase' }>;
  const rows = [
    { name: 'no latch field keeps the latch', given: phase(), want: { set: false } },
    { name: 'null clears it (JSON null)', given: phase(null), want: { set: true, json: 'null' } },
    { name: 'a spec hash latches Paused', given: phase({ phase: 'Paused', specHash: 'h' }), want: { set: true, json: '{"phase":"Paused","specHash":"h","at":"T"}' } },
    { name: 'an abort latches Aborted', given: phase({ phase: 'Aborted', specHash: 'h' }, 'Aborted'), want: { set: true, json: '{"phase":"Aborted","specHash":"h","at":"T"}' } },
  ];
  for (const { name, given, want } of rows) it(name, () => expect(latchWrite(given, 'T')).toEqual(want));

  it('keys findings by type and subject', () => {
    expect(findingKey({ type: 'StuckAppliance', severity: 'error', appliance: 'a', rollout: 'r', message: 'x' })).toBe('StuckAppliance/a/r/');
    expect(findingKey({ type: 'OtsBacklog', severity: 'warning', policy: 'ots', message: 'x' })).toBe('OtsBacklog///ots');
    expect(findingKey({ type: 'OtsCalendarNotFound', severity: 'warning', policy: 'ots', calendar: 'https://a.example', message: 'x' })).toBe(
      'OtsCalendarNotFound///ots/https://a.example',
    );
  });

  it('splits actions into runs of one type without losing or reordering any', () => {
    const action = fc.constantFrom<Action>(
      { type: 'AssignRelease', rollout: 'r', appliance: 'a', release: 'x' },
      { type: 'WithdrawRelease', rollout: 'r', appliance: 'a' },
      { type: 'SetPhase', rollout: 'r', phase: 'Progressing', from: null },
    );
    fc.assert(
      fc.property(fc.array(action, { maxLength: 30 }), (actions) => {
        const runs = actionRuns(actions);
        expect(runs.flatMap((r): Action[] => r.actions)).toEqual(actions);
        for (const run of runs) expect(run.actions.every((a) => a.type === run.type)).toBe(true);
        for (let i = 1; i < runs.length; i++) expect(runs[i]?.type).not.toBe(runs[i - 1]?.type);
      }),
    );
  });
});

describe('a check-in batch', () => {
  const entry = fc.record({
    appliance: fc.constantFrom('a', 'b', 'c'),
    at: fc.integer({ min: 0, max: 10 }).map((s) => new Date(s * 1000)),
    n: fc.integer({ min: 0, max: 2 }),
  });
  const batchOf = (entries: { appliance: string; at: Date; n: number }[]) =>
    entries.map((e) => ({ appliance: e.appliance, at: e.at, report: report({ agentVersion: String(e.n) }) }));

  it('upserts each appliance once, with its latest check-in', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 20 }), (entries) => {
        const batch = batchOf(entries);
        const { latest } = checkinWrites(batch);
        expect(latest.map((r) => r.id).sort()).toEqual([...new Set(batch.map((r) => r.appliance))].sort());
        for (const chosen of latest) {
          const same = batch.filter((r) => r.appliance === chosen.id);
          expect(chosen.lastCheckinMs).toBe(Math.max(...same.map((r) => r.at.getTime())));
          // On a tie the entry that came later wins.
          expect(chosen.agentVersion).toBe(same.filter((r) => r.at.getTime() === chosen.lastCheckinMs).at(-1)?.report.agentVersion);
        }
      }),
    );
  });

  it('offers one history row per change: the first of each appliance to compare, later ones only when they differ', () => {
    const single = checkinWrites(batchOf([{ appliance: 'a', at: new Date(0), n: 0 }, { appliance: 'b', at: new Date(0), n: 0 }]));
    // The usual batch (one check-in per appliance): the upserted rows are the candidates, nothing else is sent.
    expect({ others: single.others.length, reports: single.latestReports.every((r) => r !== null) }).toEqual({ others: 0, reports: true });
    // In time order, as the API submits them.
    const ordered = fc.array(entry, { maxLength: 20 }).map((list) => [...list].sort((x, y) => x.at.getTime() - y.at.getTime()));
    fc.assert(
      fc.property(ordered, (entries) => {
        const batch = batchOf(entries);
        const want = batch.flatMap((record, i) => {
          const before = batch.slice(0, i).filter((r) => r.appliance === record.appliance).at(-1);
          if (!before) return [{ appliance: record.appliance, forced: false }];
          return before.report.agentVersion === record.report.agentVersion ? [] : [{ appliance: record.appliance, forced: true }];
        });
        const got = historyCandidates(checkinWrites(batch)).map((h) => ({ appliance: h.row.id, forced: h.forced }));
        // In batch order for each appliance (appliances may interleave differently).
        const byAppliance = (list: { appliance: string; forced: boolean }[]) => ['a', 'b', 'c'].map((id) => list.filter((h) => h.appliance === id));
        expect(byAppliance(got)).toEqual(byAppliance(want));
        expect(got).toHaveLength(want.length);
      }),
    );
  });
});

describe('telling an outage from a bad query', () => {
  const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });
  const rows = [
    { name: 'connection refused', given: coded('ECONNREFUSED'), want: true },
    { name: 'connection reset', given: coded('ECONNRESET'), want: true },
    { name: 'server shutting down', given: coded('57P01', 'terminating connection due to administrator command'), want: true },
    { name: 'server starting up', given: coded('57P03', 'the database system is starting up'), want: true },
    { name: 'connection exception class', given: coded('08006'), want: true },
    { name: 'pool connect timeout', given: new Error('timeout exceeded when trying to connect'), want: true },
    { name: 'dropped mid-query', given: new Error('Connection terminated unexpectedly'), want: true },
    { name: 'refused on every address', given: new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')]), want: true },
    { name: 'syntax error', given: coded('42601', 'syntax error at or near "SELEC"'), want: false },
    { name: 'unique violation', given: coded('23505', 'duplicate key value'), want: false },
    { name: 'not an error', given: 'ECONNREFUSED', want: false },
  ];
  for (const { name, given, want } of rows) it(name, () => expect(isUnavailable(given)).toBe(want));
});

describe('batch jobs', () => {
  it('stop after the first short batch and report each', async () => {
    const sizes = [3, 3, 1];
    const seen: number[] = [];
    expect(await batched(3, () => sizes.shift() ?? 0, (n) => seen.push(n))).toBe(7);
    expect(seen).toEqual([3, 3, 1]);
  });
  it('refuse a batch size that would never end or never start', async () => {
    await expect(batched(0, () => 0)).rejects.toThrow(RangeError);
  });
});
