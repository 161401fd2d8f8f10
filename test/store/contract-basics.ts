import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import { SchemaTooNewError } from '../../controller/store/errors.js';
import { latestVersion } from '../../controller/store/migration.js';
import { POSTGRES_MIGRATIONS } from '../../controller/store/postgres-migrations.js';
import { SQLITE_MIGRATIONS } from '../../controller/store/sqlite-migrations.js';
import { checkin, report } from './builders.js';
import type { StoreHarness } from './harness.js';

/** Migrations, check-ins, tokens, desired state and source status: the same tests on every store. */
export function basicsContract(h: () => StoreHarness): void {
  // Both stores carry the same migration versions; the newest is whatever the lists end with.
  const latest = latestVersion(SQLITE_MIGRATIONS);
  const all = Array.from({ length: latest }, (_, k) => k + 1);

  it('has the same migration versions on both stores', () => {
    expect(POSTGRES_MIGRATIONS.map((m) => m.version)).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
  });

  it('migrates a fresh database once, then has nothing to apply', async () => {
    const store = (await h().emptyDatabase())();
    expect(await store.migrate()).toEqual({ applied: all, version: latest });
    expect(await store.migrate()).toEqual({ applied: [], version: latest });
    expect(await store.stateVersion()).toBe(0);
  });

  it('serializes two stores migrating the same empty database at once', async () => {
    const open = await h().emptyDatabase();
    const [a, b] = [open(), open()];
    const results = await Promise.all([a.migrate(), b.migrate()]);
    expect(results.flatMap((r) => r.applied)).toEqual(all);
    expect(results.map((r) => r.version)).toEqual([latest, latest]);
  });

  it('refuses a database migrated by a newer Muster, naming both versions', async () => {
    await h().sql("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from the future', '2030-01-01T00:00:00Z')");
    const failure = h().store.migrate();
    await expect(failure).rejects.toBeInstanceOf(SchemaTooNewError);
    await expect(failure).rejects.toMatchObject({ databaseVersion: 99, codeVersion: latest });
    await expect(failure).rejects.toThrow(new RegExp(`version 99.*up to ${latest}`));
  });

  it('writes a batch: the latest check-in per appliance, every one in the history', async () => {
    const { store } = h();
    await store.recordCheckins([
      checkin('b-02', '2026-01-31T12:00:01Z', { agentVersion: '1.0.49' }),
      checkin('a-01', '2026-01-31T12:00:00Z', { agentVersion: '1.0.45' }),
      checkin('a-01', '2026-01-31T12:00:02Z', { agentVersion: '1.0.51', deferUntil: '2026-02-01T00:00:00Z' }),
      checkin('a-01', '2026-01-31T12:00:01Z', { agentVersion: '1.0.49' }),
    ]);
    expect(await store.getAppliance('a-01')).toEqual({
      id: 'a-01',
      lastCheckinAt: '2026-01-31T12:00:02.000Z',
      ...report({ agentVersion: '1.0.51', deferUntil: '2026-02-01T00:00:00Z' }),
    });
    expect((await store.getAppliance('b-02'))?.agentVersion).toBe('1.0.49');
    expect(await store.getAppliance('never')).toBeNull();
    const history = await store.listCheckins('a-01', 10);
    expect(history.map((c) => [c.at, c.report.agentVersion])).toEqual([
      ['2026-01-31T12:00:01.000Z', '1.0.49'],
      ['2026-01-31T12:00:02.000Z', '1.0.51'],
      ['2026-01-31T12:00:00.000Z', '1.0.45'],
    ]);
    expect(await store.listCheckins('a-01', 1)).toHaveLength(1);
  });

  it('adds a check-in history row only when the report changed', async () => {
    const { store } = h();
    const at = (second: number) => `2026-01-31T12:00:${String(second).padStart(2, '0')}Z`;
    const rows = [
      { name: 'first check-in', given: [checkin('a-01', at(0))], want: 1 },
      { name: 'the same report again', given: [checkin('a-01', at(1))], want: 0 },
      { name: 'a new image', given: [checkin('a-01', at(2), { imageVersion: '46' })], want: 1 },
      { name: 'deferring', given: [checkin('a-01', at(3), { imageVersion: '46', deferUntil: '2026-02-01T00:00:00Z' })], want: 1 },
      { name: 'the same, twice in one batch', given: [checkin('a-01', at(4), { imageVersion: '46', deferUntil: '2026-02-01T00:00:00Z' }), checkin('a-01', at(5), { imageVersion: '46', deferUntil: '2026-02-01T00:00:00Z' })], want: 0 },
      { name: 'back and forth in one batch', given: [checkin('a-01', at(6)), checkin('a-01', at(7), { imageVersion: '46' }), checkin('a-01', at(8), { imageVersion: '46' })], want: 2 },
      { name: 'a retention report changed', given: [checkin('a-01', at(9), { imageVersion: '46', retention: { ...report().retention!, incidents: 4 } })], want: 1 },
      { name: 'the same report, older than the stored check-in', given: [checkin('a-01', at(5), { imageVersion: '46', retention: { ...report().retention!, incidents: 4 } })], want: 0 },
      { name: 'another appliance with the same report', given: [checkin('b-01', at(10))], want: 1 },
      { name: 'an update under way', given: [checkin('b-01', at(11), { update: { release: 'v46', phase: 'downloading', since: at(11), attempt: 1, error: null } })], want: 1 },
      { name: 'a new agent', given: [checkin('b-01', at(12), { agentVersion: '1.0.46', update: { release: 'v46', phase: 'downloading', since: at(11), attempt: 1, error: null } })], want: 1 },
      { name: 'the agent reports no image', given: [checkin('b-01', at(13), { agentVersion: '1.0.46', imageVersion: null, update: { release: 'v46', phase: 'downloading', since: at(11), attempt: 1, error: null } })], want: 1 },
    ];
    let count = 0;
    for (const row of rows) {
      await store.recordCheckins(row.given);
      const history = [...(await store.listCheckins('a-01', 100)), ...(await store.listCheckins('b-01', 100))];
      expect({ name: row.name, added: history.length - count }).toEqual({ name: row.name, added: row.want });
      count = history.length;
    }
    expect((await store.getAppliance('a-01'))?.lastCheckinAt).toBe('2026-01-31T12:00:09.000Z');
    expect(await store.getAppliance('b-01')).toMatchObject({ lastCheckinAt: '2026-01-31T12:00:13.000Z', agentVersion: '1.0.46', imageVersion: null, update: { phase: 'downloading' } });
    const [newest] = await store.listCheckins('a-01', 1);
    expect(newest?.at).toBe('2026-01-31T12:00:09.000Z');
  });

  it('never moves an appliance back to an older check-in, and ignores the id in the body', async () => {
    const { store } = h();
    await store.recordCheckins([checkin('a-01', '2026-01-31T12:00:10Z', { agentVersion: 'new' })]);
    await store.recordCheckins([{ ...checkin('a-01', '2026-01-31T12:00:05Z', { agentVersion: 'late' }), report: report({ id: 'other', agentVersion: 'late' }) }]);
    expect((await store.getAppliance('a-01'))?.agentVersion).toBe('new');
    expect(await store.getAppliance('other')).toBeNull();
    const [late] = await store.listCheckins('a-01', 1);
    expect(late?.report).toEqual(report({ agentVersion: 'late' }));
  });

  it('lists checked-in appliances in the observed state, sorted by id, deferUntil only when reported', async () => {
    const { store } = h();
    await store.recordCheckins([checkin('b', '2026-01-31T12:00:00Z'), checkin('B', '2026-01-31T12:00:00Z'), checkin('a', '2026-01-31T12:00:00Z')]);
    const { state } = await store.loadObserved(new Date('2026-01-31T12:01:00Z'));
    expect(state.appliances.map((a) => a.id)).toEqual(['B', 'a', 'b']);
    expect(Object.keys(state.appliances[0] ?? {})).toEqual(['id', 'lastCheckinAt', 'agentVersion', 'imageVersion', 'update', 'retention']);
    expect(state.exportedAt).toBe('2026-01-31T12:01:00.000Z');
  });

  it('accepts an empty batch', async () => {
    await h().store.recordCheckins([]);
    expect((await h().store.loadObserved(new Date(0))).state.appliances).toEqual([]);
  });

  it('stores only the sha256 of a token, and finds the appliance by the token', async () => {
    const { store } = h();
    const token = await store.issueToken('a-01');
    expect(token).toMatch(/^mst_[A-Za-z0-9_-]{43}$/);
    expect(await store.applianceForToken(token as string)).toBe('a-01');
    const rows = await h().sql('SELECT * FROM tokens');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.token_sha256).toBe(createHash('sha256').update(token as string).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain((token as string).slice(4));
  });

  it('issues a second token only when rotating, and the rotated token stops working', async () => {
    const { store } = h();
    const first = (await store.issueToken('a-01')) as string;
    expect(await store.issueToken('a-01')).toBeNull();
    expect(await store.applianceForToken(first)).toBe('a-01');
    const second = (await store.issueToken('a-01', { rotate: true })) as string;
    expect(second).not.toBe(first);
    expect(await store.applianceForToken(first)).toBeNull();
    expect(await store.applianceForToken(second)).toBe('a-01');
    const [row] = await h().sql('SELECT rotated_at FROM tokens');
    expect(row?.rotated_at).not.toBeNull();
  });

  it('refuses unknown and malformed tokens, and lists appliances with tokens', async () => {
    const { store } = h();
    await store.issueToken('b-02');
    await store.issueToken('a-01');
    for (const bad of ['', 'mst_', 'Bearer x', `mst_${'A'.repeat(43)}`, `mst_${'A'.repeat(44)}`, "mst_' OR 1=1 --"]) {
      expect(await store.applianceForToken(bad)).toBeNull();
    }
    expect(await store.appliancesWithTokens()).toEqual(['a-01', 'b-02']);
  });

  it('issues tokens in bulk, in the order given, skipping appliances that have one unless rotating', async () => {
    const { store } = h();
    const kept = (await store.issueToken('b-02')) as string;
    const issued = await store.issueTokens(['c-03', 'b-02', 'a-01', 'c-03']);
    expect(issued.map((t) => t.appliance)).toEqual(['c-03', 'a-01']);
    for (const { appliance, token } of issued) expect(await store.applianceForToken(token)).toBe(appliance);
    expect(await store.applianceForToken(kept)).toBe('b-02');
    expect(await store.issueTokens([])).toEqual([]);
    const rotated = await store.issueTokens(['a-01', 'b-02'], { rotate: true });
    expect(rotated.map((t) => t.appliance)).toEqual(['a-01', 'b-02']);
    expect(await store.applianceForToken(kept)).toBeNull();
    expect(await store.applianceForToken((issued[1] as { token: string }).token)).toBeNull();
    expect(await store.applianceForToken((rotated[1] as { token: string }).token)).toBe('b-02');
    expect(await store.appliancesWithTokens()).toEqual(['a-01', 'b-02', 'c-03']);
  });

  it('lists token changes after a cursor in commit order, whichever store object wrote them', async () => {
    const { store } = h();
    const other = await h().openAnother();
    expect(await store.tokensChangedSince(null)).toEqual({ changes: [], cursor: null });
    const first = (await store.issueToken('a-01')) as string;
    await other.issueTokens(['b-02', 'c-03']);
    const all = await store.tokensChangedSince(null);
    expect(all.changes.map((c) => c.appliance).sort()).toEqual(['a-01', 'b-02', 'c-03']);
    expect(all.changes.find((c) => c.appliance === 'a-01')?.tokenSha256).toBe(createHash('sha256').update(first).digest('hex'));
    expect(all.changes.map((c) => c.seq)).toEqual([...all.changes.map((c) => c.seq)].sort((x, y) => x - y));
    expect(await store.tokensChangedSince(all.cursor)).toEqual({ changes: [], cursor: all.cursor });

    const rotated = (await other.issueToken('a-01', { rotate: true })) as string;
    const later = await store.tokensChangedSince(all.cursor);
    expect(later.changes).toEqual([{ appliance: 'a-01', tokenSha256: createHash('sha256').update(rotated).digest('hex'), seq: later.cursor }]);
    expect(later.cursor).toBeGreaterThan(all.cursor as number);
  });

  it('tells its listeners of the tokens it writes before the write resolves, until they unsubscribe', async () => {
    const { store } = h();
    const heard: string[][] = [];
    const stop = store.onTokensChanged((changes) => heard.push(changes.map((c) => c.appliance)));
    const token = (await store.issueToken('a-01')) as string;
    expect(heard).toEqual([['a-01']]);
    await store.issueToken('a-01');
    expect(heard).toHaveLength(1);
    await store.issueTokens(['b-02', 'a-01'], { rotate: true });
    expect(heard).toEqual([['a-01'], ['b-02', 'a-01']]);
    const { changes } = await store.tokensChangedSince(null);
    expect(changes.find((c) => c.appliance === 'a-01')?.tokenSha256).not.toBe(createHash('sha256').update(token).digest('hex'));
    stop();
    await store.issueToken('c-03');
    expect(heard).toHaveLength(2);
  });

  it('keeps the last applied desired state and source status', async () => {
    const { store } = h();
    expect(await store.loadDesiredState()).toBeNull();
    expect(await store.loadSourceStatus()).toBeNull();
    const objects = [{ kind: 'Appliance' as const, name: 'a-01', labels: { site: 'x' }, spec: null, source: { file: 'a.yaml', line: 1, column: 1 } }];
    await store.saveDesiredState({ revision: 'r1', objects, appliedAt: '2026-01-31T12:00:00Z' });
    await store.saveDesiredState({ revision: 'r2', objects, appliedAt: '2026-01-31T12:05:00Z' });
    expect(await store.loadDesiredState()).toEqual({ revision: 'r2', objects, appliedAt: '2026-01-31T12:05:00Z' });
    const errors = [{ file: 'r.yaml', line: 3, column: 5, path: 'spec.stages', message: 'must end at 100' }];
    const status = { lastAppliedRevision: 'r2', lastAttemptedRevision: 'r3', errors, at: '2026-01-31T12:06:00Z' };
    await store.saveSourceStatus(status);
    expect(await store.loadSourceStatus()).toEqual(status);
  });

  it('keeps every revision applied, once, with its commit author when given', async () => {
    const { store } = h();
    const commit = { author: 'Ada <ada@example.com>', committedAt: '2026-01-31T11:00:00+01:00', subject: 'Widen v1.0.51 to 40%' };
    await store.saveDesiredState({ revision: 'r1', objects: [], appliedAt: '2026-01-31T12:00:00Z', commit });
    await store.saveDesiredState({ revision: 'r2', objects: [], appliedAt: '2026-01-31T12:05:00Z' });
    await store.saveDesiredState({ revision: 'r1', objects: [], appliedAt: '2026-01-31T12:10:00Z', commit });
    expect(await store.listRevisions()).toEqual([
      { revision: 'r1', firstAppliedAt: '2026-01-31T12:00:00Z', commit },
      { revision: 'r2', firstAppliedAt: '2026-01-31T12:05:00Z', commit: null },
    ]);
    expect((await store.loadDesiredState())?.revision).toBe('r1');
  });

  it('answers a ping', async () => {
    await expect(h().store.ping()).resolves.toBeUndefined();
  });
}
