import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyFindingChanges, findingChanges, LAST_SEEN_REFRESH_MS, OpenFindingsCache, type OpenFinding } from '../../controller/store/finding-changes.js';
import type { Finding } from '../../controller/reconcile/plan.js';

const NOW = '2026-01-31T12:10:00.000Z';
const ago = (ms: number) => new Date(Date.parse(NOW) - ms).toISOString();

/** A StuckAppliance finding about appliance `id`: its key is `StuckAppliance/<id>//`. */
function stuck(id: string, fields: Partial<Finding> = {}): Finding {
  return { type: 'StuckAppliance', severity: 'error', appliance: id, message: `${id} is stuck`, ...fields };
}

/** The open finding stored for `stuck(id)`. */
function open(id: string, lastSeen: string, fields: Partial<OpenFinding> = {}): [string, OpenFinding] {
  return [`StuckAppliance/${id}//`, { severity: 'error', since: null, message: `${id} is stuck`, lastSeenMs: Date.parse(lastSeen), ...fields }];
}

const keyOf = (id: string) => `StuckAppliance/${id}//`;

describe('which findings rows a plan writes', () => {
  const rows: { name: string; given: { planned: Finding[]; open: [string, OpenFinding][] }; want: Record<string, string[]> }[] = [
    { name: 'nothing open, nothing planned', given: { planned: [], open: [] }, want: { open: [], change: [], touch: [], resolve: [] } },
    { name: 'a new finding is opened', given: { planned: [stuck('a')], open: [] }, want: { open: ['a'], change: [], touch: [], resolve: [] } },
    {
      name: 'an unchanged finding seen recently is not written',
      given: { planned: [stuck('a')], open: [open('a', ago(LAST_SEEN_REFRESH_MS - 1))] },
      want: { open: [], change: [], touch: [], resolve: [] },
    },
    {
      name: 'an unchanged finding whose last seen is a refresh period old is touched',
      given: { planned: [stuck('a')], open: [open('a', ago(LAST_SEEN_REFRESH_MS))] },
      want: { open: [], change: [], touch: ['a'], resolve: [] },
    },
    {
      name: 'a changed message is rewritten',
      given: { planned: [stuck('a', { message: 'stuck for 2h' })], open: [open('a', NOW)] },
      want: { open: [], change: ['a'], touch: [], resolve: [] },
    },
    {
      name: 'a changed severity is rewritten',
      given: { planned: [stuck('a', { severity: 'warning' })], open: [open('a', NOW)] },
      want: { open: [], change: ['a'], touch: [], resolve: [] },
    },
    {
      name: 'a changed since is rewritten',
      given: { planned: [stuck('a', { since: NOW })], open: [open('a', NOW)] },
      want: { open: [], change: ['a'], touch: [], resolve: [] },
    },
    { name: 'an open finding absent from the plan is resolved', given: { planned: [], open: [open('a', NOW)] }, want: { open: [], change: [], touch: [], resolve: ['a'] } },
    {
      name: 'an unreadable last seen is refreshed rather than trusted',
      given: { planned: [stuck('a')], open: [open('a', 'yesterday')] },
      want: { open: [], change: [], touch: ['a'], resolve: [] },
    },
  ];
  for (const { name, given, want } of rows) {
    it(name, () => {
      const changes = findingChanges(given.planned, new Map(given.open), NOW);
      const ids = (keys: string[]) => keys.map((k) => k.split('/')[1]);
      expect({
        open: ids(changes.open.map((r) => r.key)),
        change: ids(changes.change.map((r) => r.key)),
        touch: ids(changes.touch),
        resolve: ids(changes.resolve),
      }).toEqual(want);
    });
  }

  const arbitraryFinding = fc.record({
    id: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
    severity: fc.constantFrom('info' as const, 'warning' as const, 'error' as const),
    since: fc.option(fc.constantFrom(ago(60_000), NOW), { nil: undefined }),
    message: fc.constantFrom('m1', 'm2'),
  });
  const arbitraryOpen = fc.array(
    fc
      .tuple(arbitraryFinding, fc.integer({ min: 0, max: 2 * LAST_SEEN_REFRESH_MS }))
      .map(([f, age]) => open(f.id, ago(age), { severity: f.severity, since: f.since ?? null, message: f.message })),
  );

  it('leaves the open findings exactly the plan’s, the later of duplicates winning, last seen never older than the refresh period', () => {
    fc.assert(
      fc.property(fc.array(arbitraryFinding, { maxLength: 8 }), arbitraryOpen, (drawn, before) => {
        const findings = drawn.map((f) => stuck(f.id, { severity: f.severity, message: f.message, ...(f.since ? { since: f.since } : {}) }));
        const latest = new Map(findings.map((f) => [keyOf(f.appliance as string), f]));
        const after = new Map(before.map(([key, finding]) => [key, { ...finding }]));
        const changes = findingChanges(findings, after, NOW);
        applyFindingChanges(after, changes, NOW);
        expect([...after.keys()].sort()).toEqual([...latest.keys()].sort());
        for (const [key, f] of latest) {
          const kept = after.get(key) as OpenFinding;
          expect({ severity: kept.severity, since: kept.since, message: kept.message }).toEqual({ severity: f.severity, since: f.since ?? null, message: f.message });
          expect(Date.parse(NOW) - kept.lastSeenMs).toBeLessThan(LAST_SEEN_REFRESH_MS);
        }
        // A finding is written at most once per pass, and none that is unchanged and fresh.
        const written = [...changes.open.map((r) => r.key), ...changes.change.map((r) => r.key), ...changes.touch, ...changes.resolve];
        expect(new Set(written).size).toBe(written.length);
        const again = findingChanges(findings, after, NOW);
        expect([again.open, again.change, again.touch, again.resolve].every((l) => l.length === 0)).toBe(true);
      }),
    );
  });
});

describe('what comparing leaves in the open findings', () => {
  it('changes no remembered value, whatever the plan: only the equal text of unchanged findings is the plan’s', () => {
    const id = fc.constantFrom('a', 'b', 'c');
    const message = fc.constantFrom(undefined, 'stuck for 2h');
    const since = fc.constantFrom(undefined, ago(60_000));
    const planned = fc.array(fc.record({ id, message, since }), { maxLength: 4 });
    const remembered = fc.uniqueArray(fc.record({ id, message, since }), { selector: (r) => r.id, maxLength: 3 });
    fc.assert(
      fc.property(planned, remembered, (plan, rows) => {
        const openMap = new Map(rows.map((r) => open(r.id, NOW, { ...(r.message ? { message: r.message } : {}), since: r.since ?? null })));
        const before = structuredClone(openMap);
        findingChanges(
          plan.map((p) => stuck(p.id, { ...(p.message ? { message: p.message } : {}), ...(p.since ? { since: p.since } : {}) })),
          openMap,
          NOW,
        );
        expect(openMap).toEqual(before);
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
