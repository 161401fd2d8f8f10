import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ReconcileCache } from '../../controller/reconcile/reconcile.js';
import type { Finding } from '../../controller/reconcile/plan.js';
import { reconcile } from '../../controller/reconcile/reconcile.js';
import { worldArb } from './arbitraries.js';
import { appliance, appliances, assigned, desired, NOW, observedRollout, retentionPolicy, rollout, seen, state } from './builders.js';

const FINDING_KEYS: (keyof Finding)[] = ['type', 'severity', 'appliance', 'rollout', 'policy', 'calendar', 'since', 'field', 'message'];
const MINUTE = 60_000;

// A fleet of 40 on v1.0.2 (10 of them offline), one never seen, a paused rollout of v1.0.3 half assigned.
function fleet() {
  const policy = retentionPolicy('r', { pruneEvery: '1h' });
  const d = desired({
    appliances: [...appliances('box', 40), appliance('quiet')],
    rollouts: [rollout('v1.0.3', { stages: [{ percent: 100 }], progressDeadline: '1h', paused: true })],
    retentionPolicies: [policy],
  });
  const observe = (nowMs: number) =>
    state({
      appliances: appliances('box', 40).map((a, i) =>
        seen(a.name, {
          at: new Date(i < 10 ? Date.parse('2026-01-31T09:00:00Z') : nowMs - 30_000).toISOString(),
          version: '1.0.2',
          retention: { policyHash: policy.policyHash, lastPrunedAt: '2026-01-31T00:00:00Z', databaseBytes: 1, incidents: 0, oldestIncidentAt: null },
        }),
      ),
      rollouts: [observedRollout('v1.0.3', { assignments: appliances('box', 20).map((a) => assigned(a.name, 'v1.0.3', '2026-01-31T10:00:00Z')) })],
    });
  return { d, observe };
}

describe('plans made with a cache share what did not change with the previous plan', () => {
  it('hands out the same entries and findings again, and new ones for what changed', () => {
    const { d, observe } = fleet();
    const cache = new ReconcileCache();
    const first = reconcile(d, observe(NOW.getTime()), NOW, { cache });
    const later = new Date(NOW.getTime() + MINUTE);
    const second = reconcile(d, observe(later.getTime()), later, { cache });
    expect(JSON.stringify(second)).toBe(JSON.stringify(reconcile(d, observe(later.getTime()), later, { cache: null })));
    const offline = (p: typeof first) => p.findings.filter((f) => f.type === 'ApplianceOffline' || f.type === 'PruneOverdue' || f.type === 'NeverCheckedIn');
    expect(offline(second).length).toBe(51);
    offline(second).forEach((f, k) => expect(f).toBe(offline(first)[k]));
    const entry = (p: typeof first, id: string) => p.appliances.find((a) => a.id === id);
    // Stuck while offline, or waiting for the paused rollout: the same entry. Checked in again
    // since its assignment: a new reason, so a new entry.
    expect(entry(second, 'box-01')?.status).toBe('stuck');
    expect(entry(second, 'box-01')).toBe(entry(first, 'box-01'));
    expect(entry(second, 'box-30')).toBe(entry(first, 'box-30'));
    expect(entry(second, 'quiet')).toBe(entry(first, 'quiet'));
    expect(entry(second, 'box-15')).not.toBe(entry(first, 'box-15'));
    expect(entry(second, 'box-15')?.reason).not.toBe(entry(first, 'box-15')?.reason);
  });

  it('never shares a finding whose appliance changed: a new check-in time, a new offlineAfter', () => {
    const { d, observe } = fleet();
    const cache = new ReconcileCache();
    const first = reconcile(d, observe(NOW.getTime()), NOW, { cache });
    const moved = observe(NOW.getTime());
    moved.appliances = moved.appliances.map((o) => (o.id === 'box-03' ? { ...o, lastCheckinAt: '2026-01-31T09:30:00Z' } : o));
    const second = reconcile(d, moved, NOW, { cache });
    const offlineOf = (p: typeof first, id: string) => p.findings.find((f) => f.type === 'ApplianceOffline' && f.appliance === id);
    expect(offlineOf(second, 'box-03')?.message).toContain('09:30:00');
    expect(offlineOf(second, 'box-04')).toBe(offlineOf(first, 'box-04'));
    const slower = { ...d, fleet: { ...d.fleet, offlineAfterMs: 4 * 3_600_000 } };
    expect(reconcile(slower, moved, NOW, { cache }).findings.some((f) => f.type === 'ApplianceOffline')).toBe(false);
    const third = reconcile(d, moved, NOW, { cache });
    expect(JSON.stringify(third)).toBe(JSON.stringify(reconcile(d, moved, NOW, { cache: null })));
  });

  it('keeps nothing of the observed state in the cache once a pass is over', () => {
    const { d, observe } = fleet();
    const cache = new ReconcileCache();
    reconcile(d, observe(NOW.getTime()), NOW, { cache });
    const ws = cache.takeWorkspace(41);
    expect(ws.seen.obs.every((o) => o === undefined)).toBe(true);
    cache.endPass(ws);
    // The same columns serve the next pass.
    expect(cache.takeWorkspace(41)).toBe(ws);
  });

  it('writes every finding with its keys in the plan order, so that JSON output diffs cleanly', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const withRetention = { ...w.desired, retentionPolicies: [retentionPolicy('r', { pruneEvery: '1h', maxDatabaseBytes: 0 })] };
        for (const f of reconcile(withRetention, w.observed, w.now, { cache: null }).findings) {
          const keys = Object.keys(f);
          expect(keys).toEqual(FINDING_KEYS.filter((k) => keys.includes(k)));
          for (const k of keys) expect(f[k as keyof Finding]).not.toBeUndefined();
        }
      }),
      { numRuns: 200 },
    );
  });
});
