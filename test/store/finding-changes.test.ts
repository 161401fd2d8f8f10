import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { afterChanges, findingChanges, LAST_SEEN_REFRESH_MS, OpenFindingsCache, type OpenFinding } from '../../controller/store/finding-changes.js';
import type { FindingRow } from '../../controller/store/plan-writes.js';

const NOW = '2026-01-31T12:10:00.000Z';
const ago = (ms: number) => new Date(Date.parse(NOW) - ms).toISOString();

function row(key: string, fields: Partial<FindingRow> = {}): FindingRow {
  return { key, type: 'StuckAppliance', severity: 'error', appliance: key, rollout: null, policy: null, since: null, message: `${key} is stuck`, ...fields };
}

function open(key: string, lastSeen: string, fields: Partial<OpenFinding> = {}): [string, OpenFinding] {
  return [key, { severity: 'error', since: null, message: `${key} is stuck`, lastSeen, ...fields }];
}

describe('which findings rows a plan writes', () => {
  const rows: { name: string; given: { planned: FindingRow[]; open: [string, OpenFinding][] }; want: Record<string, string[]> }[] = [
    { name: 'nothing open, nothing planned', given: { planned: [], open: [] }, want: { open: [], change: [], touch: [], resolve: [] } },
    { name: 'a new finding is opened', given: { planned: [row('a')], open: [] }, want: { open: ['a'], change: [], touch: [], resolve: [] } },
    {
      name: 'an unchanged finding seen recently is not written',
      given: { planned: [row('a')], open: [open('a', ago(LAST_SEEN_REFRESH_MS - 1))] },
      want: { open: [], change: [], touch: [], resolve: [] },
    },
    {
      name: 'an unchanged finding whose last seen is a refresh period old is touched',
      given: { planned: [row('a')], open: [open('a', ago(LAST_SEEN_REFRESH_MS))] },
      want: { open: [], change: [], touch: ['a'], resolve: [] },
    },
    {
      name: 'a changed message is rewritten',
      given: { planned: [row('a', { message: 'stuck for 2h' })], open: [open('a', NOW)] },
      want: { open: [], change: ['a'], touch: [], resolve: [] },
    },
    {
      name: 'a changed severity is rewritten',
      given: { planned: [row('a', { severity: 'warning' })], open: [open('a', NOW)] },
      want: { open: [], change: ['a'], touch: [], resolve: [] },
    },
    {
      name: 'a changed since is rewritten',
      given: { planned: [row('a', { since: NOW })], open: [open('a', NOW)] },
      want: { open: [], change: ['a'], touch: [], resolve: [] },
    },
    { name: 'an open finding absent from the plan is resolved', given: { planned: [], open: [open('a', NOW)] }, want: { open: [], change: [], touch: [], resolve: ['a'] } },
    {
      name: 'an unreadable last seen is refreshed rather than trusted',
      given: { planned: [row('a')], open: [open('a', 'yesterday')] },
      want: { open: [], change: [], touch: ['a'], resolve: [] },
    },
  ];
  for (const { name, given, want } of rows) {
    it(name, () => {
      const changes = findingChanges(given.planned, new Map(given.open), NOW);
      expect({ open: changes.open.map((r) => r.key), change: changes.change.map((r) => r.key), touch: changes.touch, resolve: changes.resolve }).toEqual(want);
    });
  }

  const arbitraryRow = fc.record({
    key: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
    severity: fc.constantFrom('info', 'warning', 'error'),
    since: fc.option(fc.constantFrom(ago(60_000), NOW), { nil: null }),
    message: fc.constantFrom('m1', 'm2'),
  });
  const arbitraryOpen = fc.array(
    fc.tuple(arbitraryRow, fc.integer({ min: 0, max: 2 * LAST_SEEN_REFRESH_MS })).map(([r, age]) => open(r.key, ago(age), { severity: r.severity, since: r.since, message: r.message })),
  );

  it('leaves the open findings exactly the plan’s, last seen never older than the refresh period', () => {
    fc.assert(
      fc.property(fc.uniqueArray(arbitraryRow, { selector: (r) => r.key }), arbitraryOpen, (planned, before) => {
        const rows = planned.map((r) => row(r.key, r));
        const known = new Map(before);
        const changes = findingChanges(rows, known, NOW);
        const after = afterChanges(known, changes, NOW);
        expect([...after.keys()].sort()).toEqual(rows.map((r) => r.key).sort());
        for (const r of rows) {
          const kept = after.get(r.key) as OpenFinding;
          expect({ severity: kept.severity, since: kept.since, message: kept.message }).toEqual({ severity: r.severity, since: r.since, message: r.message });
          expect(Date.parse(NOW) - Date.parse(kept.lastSeen)).toBeLessThan(LAST_SEEN_REFRESH_MS);
        }
        // A finding is written at most once per pass, and none that is unchanged and fresh.
        const written = [...changes.open.map((r) => r.key), ...changes.change.map((r) => r.key), ...changes.touch, ...changes.resolve];
        expect(new Set(written).size).toBe(written.length);
        const again = findingChanges(rows, after, NOW);
        expect([again.open, again.change, again.touch, again.resolve].every((l) => l.length === 0)).toBe(true);
      }),
    );
  });
});

describe('the open-findings cache', () => {
  it('answers only for the state version it was recorded at, and nothing once cleared', () => {
    const cache = new OpenFindingsCache();
    const known = new Map([open('a', NOW)]);
    expect(cache.at(0)).toBeNull();
    cache.set(3, known);
    expect(cache.at(3)).toBe(known);
    expect(cache.at(2)).toBeNull();
    expect(cache.at(4)).toBeNull();
    cache.clear();
    expect(cache.at(3)).toBeNull();
  });
});
