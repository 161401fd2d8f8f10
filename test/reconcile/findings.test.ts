import { describe, expect, it } from 'vitest';
import type { Finding } from '../../controller/reconcile/plan.js';
import { ReconcileCache } from '../../controller/reconcile/reconcile.js';
import { reconcile } from '../../controller/reconcile/reconcile.js';
import { appliance, desired, NOW, otsPolicy, release, retentionPolicy, seen, state, type DesiredOptions, type ObservationOptions } from './builders.js';

const policy = retentionPolicy('incidents-30d', { pruneEvery: '24h', maxDatabaseBytes: 1_000_000 });
const base: DesiredOptions = { appliances: [appliance('a')], releases: [release('v1.0.49'), release('v1.0.51')], retentionPolicies: [policy] };
const healthy: ObservationOptions = {
  at: '2026-01-31T11:59:00Z',
  version: '1.0.49',
  retention: { policyHash: policy.policyHash, lastPrunedAt: '2026-01-31T03:00:00Z', databaseBytes: 500_000, incidents: 10, oldestIncidentAt: null },
};
const findingsFor = (o: ObservationOptions | null, d: DesiredOptions = base): Finding[] =>
  reconcile(desired(d), state({ appliances: o ? [seen('a', o)] : [] }), NOW, { cache: new ReconcileCache() }).findings;

describe('appliance findings', () => {
  const rows: { name: string; given: ObservationOptions | null; want: Partial<Finding> | null; type: Finding['type'] }[] = [
    { name: 'none for a healthy appliance', given: healthy, type: 'ApplianceOffline', want: null },
    { name: 'ApplianceOffline since last check-in + offlineAfter', given: { ...healthy, at: '2026-01-31T10:00:00Z' }, type: 'ApplianceOffline', want: { severity: 'warning', since: '2026-01-31T10:10:00.000Z' } },
    { name: 'not offline exactly at offlineAfter', given: { ...healthy, at: '2026-01-31T11:50:00Z' }, type: 'ApplianceOffline', want: null },
    { name: 'NeverCheckedIn (info) for a declared appliance never seen', given: null, type: 'NeverCheckedIn', want: { severity: 'info', appliance: 'a' } },
    { name: 'UnexpectedVersion (warning) for a version no Release has', given: { ...healthy, version: '1.0.47' }, type: 'UnexpectedVersion', want: { severity: 'warning' } },
    {
      name: 'UnexpectedVersion (error) for a silent rollback below the version it reported succeeding with',
      given: { ...healthy, version: '1.0.49', update: { release: 'v1.0.51', phase: 'succeeded', since: '2026-01-30T00:00:00Z' } },
      type: 'UnexpectedVersion',
      want: { severity: 'error', message: expect.stringContaining('silent rollback') as unknown as string },
    },
    { name: 'RetentionNotApplied when the hash differs', given: { ...healthy, retention: { ...healthy.retention!, policyHash: 'f'.repeat(64) } }, type: 'RetentionNotApplied', want: { severity: 'warning', policy: 'incidents-30d' } },
    { name: 'RetentionNotApplied when nothing is reported', given: { ...healthy, retention: null }, type: 'RetentionNotApplied', want: { severity: 'warning' } },
    { name: 'no RetentionNotApplied when the hash matches', given: healthy, type: 'RetentionNotApplied', want: null },
    {
      name: 'PruneOverdue once the last prune is older than twice pruneEvery',
      given: { ...healthy, retention: { ...healthy.retention!, lastPrunedAt: '2026-01-29T11:00:00Z' } },
      type: 'PruneOverdue',
      want: { severity: 'warning', since: '2026-01-31T11:00:00.000Z' },
    },
    { name: 'no PruneOverdue within twice pruneEvery', given: { ...healthy, retention: { ...healthy.retention!, lastPrunedAt: '2026-01-29T13:00:00Z' } }, type: 'PruneOverdue', want: null },
    { name: 'DatabaseTooLarge above maxDatabaseBytes', given: { ...healthy, retention: { ...healthy.retention!, databaseBytes: 1_000_001 } }, type: 'DatabaseTooLarge', want: { severity: 'warning' } },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const found = findingsFor(row.given).filter((f) => f.type === row.type);
      if (row.want === null) expect(found).toEqual([]);
      else expect(found).toEqual([expect.objectContaining({ appliance: 'a', ...row.want })]);
    });
  }

  it('a retention policy applies only to the appliances its selector matches', () => {
    const scoped = { ...base, retentionPolicies: [retentionPolicy('lab', { selector: { matchLabels: { site: 'lab' } } })] };
    expect(findingsFor({ ...healthy, retention: null }, scoped).filter((f) => f.type === 'RetentionNotApplied')).toEqual([]);
  });
});

describe('OTS proofs', () => {
  const proofs = {
    pending: [
      { createdAt: '2026-01-20T00:00:00Z', count: 100 },
      { createdAt: '2026-01-24T12:00:00Z', count: 10 },
      { createdAt: '2026-01-30T00:00:00Z', count: 5 },
    ],
    notFound: [{ calendar: 'https://bob.example', count: 3, since: '2026-01-29T00:00:00Z' }],
  };
  const planFor = (alertPendingAbove?: number, p: object = proofs) =>
    reconcile(desired({ otsPolicy: otsPolicy({ expireAfter: '7d', ...(alertPendingAbove !== undefined ? { alertPendingAbove } : {}) }) }), state({ proofs: p }), NOW, { cache: null });

  it('expires pending proofs created before now − expireAfter (a bucket exactly at the cutoff stays)', () => {
    expect(planFor().actions).toEqual([{ type: 'ExpireProofs', count: 100, olderThan: '2026-01-24T12:00:00.000Z' }]);
  });

  it('asks for no expiry when nothing is old enough, or without an OtsPolicy', () => {
    expect(planFor(undefined, { pending: [{ createdAt: '2026-01-30T00:00:00Z', count: 5 }] }).actions).toEqual([]);
    expect(reconcile(desired(), state({ proofs }), NOW).actions).toEqual([]);
  });

  it('raises OtsBacklog when more than alertPendingAbove stay pending after expiry', () => {
    expect(planFor(14).findings.filter((f) => f.type === 'OtsBacklog')).toEqual([expect.objectContaining({ severity: 'warning', policy: 'default' })]);
    expect(planFor(15).findings.filter((f) => f.type === 'OtsBacklog')).toEqual([]);
  });

  it('reports each calendar that answered "Not found"', () => {
    expect(planFor().findings.filter((f) => f.type === 'OtsCalendarNotFound')).toEqual([
      expect.objectContaining({ calendar: 'https://bob.example', since: '2026-01-29T00:00:00Z', severity: 'warning' }),
    ]);
  });
});
