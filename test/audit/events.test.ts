import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTrail, type AuditEntry } from '../../controller/audit/trail.js';
import { SqliteStore } from '../../controller/store/sqlite-store.js';
import type { StoredEvent, StoredFinding } from '../../controller/store/store.js';
import { muster } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { checkin, finding, plan, report } from '../store/builders.js';

const T = (h: number) => new Date(Date.UTC(2026, 0, 31, h)).toISOString();
const assign = (appliance: string, at: string, revision = 'abc123'): StoredEvent => ({
  id: 1,
  at,
  revision,
  type: 'AssignRelease',
  rollout: 'v1.0.51',
  appliance,
  detail: { type: 'AssignRelease', appliance, release: 'v1.0.51', rollout: 'v1.0.51' },
});
const stored = (f: ReturnType<typeof finding>, firstSeen: string, resolvedAt: string | null = null): StoredFinding => ({ ...f, key: f.type, firstSeen, lastSeen: firstSeen, resolvedAt });
const brief = (entries: AuditEntry[]) => entries.map((e) => [e.at, e.kind, e.type, e.appliance ?? e.rollout]);

describe('the audit trail', () => {
  const events = [assign('vm-01', T(2)), assign('lab-01', T(1))];
  const findings = [stored(finding('StuckAppliance', { appliance: 'vm-01', rollout: 'v1.0.51' }), T(5), T(7)), stored(finding('OtsBacklog', { policy: 'default' }), T(3))];
  const history = [1, 2, 3, 4].map((h, id) => ({
    id,
    appliance: 'vm-01',
    at: T(h + 1),
    report: report(h === 4 ? { update: { release: 'v1.0.51', phase: 'downloading', since: T(4), attempt: 1, error: null } } : {}),
  }));
  const rows: { name: string; given: Parameters<typeof auditTrail>[0]; want: ReturnType<typeof brief> }[] = [
    {
      name: 'everything, oldest first; findings open and resolve',
      given: { events, findings, checkins: [] },
      want: [
        [T(1), 'action', 'AssignRelease', 'lab-01'],
        [T(2), 'action', 'AssignRelease', 'vm-01'],
        [T(3), 'finding-opened', 'OtsBacklog', null],
        [T(5), 'finding-opened', 'StuckAppliance', 'vm-01'],
        [T(7), 'finding-resolved', 'StuckAppliance', 'vm-01'],
      ],
    },
    {
      name: 'one appliance: its actions, findings and each change in what it reports',
      given: { events, findings, checkins: history, appliance: 'vm-01' },
      want: [
        [T(2), 'action', 'AssignRelease', 'vm-01'],
        [T(2), 'report', 'Report', 'vm-01'],
        [T(5), 'finding-opened', 'StuckAppliance', 'vm-01'],
        [T(5), 'report', 'Report', 'vm-01'],
        [T(7), 'finding-resolved', 'StuckAppliance', 'vm-01'],
      ],
    },
    { name: 'since a time', given: { events, findings, checkins: [], sinceMs: Date.parse(T(5)) }, want: [[T(5), 'finding-opened', 'StuckAppliance', 'vm-01'], [T(7), 'finding-resolved', 'StuckAppliance', 'vm-01']] },
    { name: 'another rollout: nothing', given: { events, findings, checkins: history, rollout: 'v1.0.49' }, want: [] },
  ];
  it.each(rows)('$name', ({ given, want }) => {
    expect(brief(auditTrail(given))).toEqual(want);
  });

  it('says what a report changed and which revision an action came from', () => {
    const trail = auditTrail({ events, findings: [], checkins: history, appliance: 'vm-01' });
    expect(trail[0]).toMatchObject({ revision: 'abc123', message: 'assign v1.0.51 to vm-01 (rollout v1.0.51)' });
    expect(trail[2]?.message).toBe(`runs 1.0.45, v1.0.51 downloading since ${T(4)} (attempt 1)`);
  });
});

describe('muster events', () => {
  const tmp = tempDir('muster-events-');
  const db = join(tmp.dir, 'muster.db');
  beforeAll(async () => {
    const store = new SqliteStore(db);
    await store.migrate();
    const commit = { author: 'Ada <ada@example.com>', committedAt: '2026-01-31T00:30:00Z', subject: 'Start v1.0.51' };
    await store.saveDesiredState({ revision: 'c0ffee', objects: [], appliedAt: T(0), commit });
    const actions = [{ type: 'AssignRelease' as const, appliance: 'vm-01', release: 'v1.0.51', rollout: 'v1.0.51' }];
    await store.applyPlan(plan(T(1), actions, { findings: [finding('AssignsOfflineAppliance', { appliance: 'vm-01', rollout: 'v1.0.51' })] }), { revision: 'c0ffee', expectedVersion: await store.stateVersion() });
    await store.recordCheckins([checkin('vm-01', T(2)), checkin('vm-01', T(3), { agentVersion: '1.0.51' })]);
    await store.close();
  });
  afterAll(() => tmp.remove());

  it('prints the trail of one appliance as JSON from a real store', async () => {
    const r = await muster(['events', '--db', db, '--appliance', 'vm-01', '--format', 'json']);
    expect(r.code).toBe(0);
    const { entries } = JSON.parse(r.stdout) as { entries: AuditEntry[] };
    expect(entries.map((e) => [e.kind, e.type, e.revision, e.author])).toEqual([
      ['action', 'AssignRelease', 'c0ffee', 'Ada <ada@example.com>'],
      ['finding-opened', 'AssignsOfflineAppliance', null, null],
      ['report', 'Report', null, null],
      ['report', 'Report', null, null],
    ]);
    expect(entries[3]?.message).toBe('runs 1.0.51');
  });

  it('text: a table; a bad --since is a usage error', async () => {
    const r = await muster(['events', '--db', db, '--rollout', 'v1.0.51', '--since', T(0)]);
    expect(r.stdout).toMatch(/^AT +KIND +TYPE +SUBJECT +REVISION +AUTHOR +MESSAGE$/m);
    expect(r.stdout).toMatch(/action +AssignRelease +v1\.0\.51 vm-01 +c0ffee +Ada <ada@example\.com> +assign v1\.0\.51 to vm-01/);
    const all = await muster(['events', '--db', db, '--format', 'json']);
    const first = (JSON.parse(all.stdout) as { entries: AuditEntry[] }).entries[0];
    expect(first).toMatchObject({ kind: 'revision', revision: 'c0ffee', author: 'Ada <ada@example.com>', message: 'applied revision c0ffee by Ada <ada@example.com>: Start v1.0.51 (committed 2026-01-31T00:30:00Z)' });
    expect((await muster(['events', '--db', db, '--since', 'yesterday'])).code).toBe(2);
  });
});
