import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FindingRowComparison,
  applyFindingChanges,
  findingChanges,
  findingChangesFromRows,
  LAST_SEEN_REFRESH_MS,
  OpenFindingsCache,
  type FindingChanges,
  type OpenFinding,
  type OpenFindings,
} from '../../controller/store/finding-changes.js';
import type { Finding } from '../../controller/reconcile/plan.js';

const NOW = '2026-01-31T12:10:00.000Z';
const ago = (ms: number) => new Date(Date.parse(NOW) - ms).toISOString();

/** A StuckAppliance finding about appliance `id`: its key is `StuckAppliance/<id>//`. */
function stuck(id: string, fields: Partial<Finding> = {}): Finding {
  return { type: 'StuckAppliance', severity: 'error', appliance: id, message: `${id} is stuck`, ...fields };
}

/** The open finding stored for `stuck(id)`, as a row reads: key, finding, last seen. */
function open(id: string, lastSeen: string, fields: Partial<OpenFinding> = {}): [string, OpenFinding, string] {
  return [`StuckAppliance/${id}//`, { severity: 'error', since: null, message: `${id} is stuck`, ...fields }, lastSeen];
}

const keyOf = (id: string) => `StuckAppliance/${id}//`;

/** Open rows as a store remembers them after reading them all: the model findingChangesFromRows must agree with. */
function openFindingsFromRows(rows: Iterable<[string, OpenFinding, string]>): OpenFindings {
  const byKey = new Map<string, OpenFinding>();
  let seenSinceMs = Infinity;
  for (const [key, finding, lastSeen] of rows) {
    byKey.set(key, finding);
    seenSinceMs = Math.min(seenSinceMs, Date.parse(lastSeen));
  }
  return { byKey, seenSinceMs: Number.isFinite(seenSinceMs) ? seenSinceMs : NaN };
}

/** What a FindingChanges writes and remembers, comparable with toEqual. */
const writes = (c: FindingChanges) => ({ ...c, planned: [...c.planned] });

describe('which findings rows a plan writes', () => {
  const rows: { name: string; given: { planned: Finding[]; open: [string, OpenFinding, string][] }; want: Record<string, string[]> }[] = [
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
    {
      name: 'when the oldest last seen is a refresh period old, every unchanged finding is touched, the recent ones too',
      given: { planned: [stuck('a'), stuck('b'), stuck('c', { message: 'stuck for 2h' })], open: [open('a', ago(LAST_SEEN_REFRESH_MS)), open('b', NOW), open('c', NOW)] },
      want: { open: [], change: ['c'], touch: ['a', 'b'], resolve: [] },
    },
    {
      name: 'a finding written this pass is not touched as well',
      given: { planned: [stuck('a', { severity: 'warning' }), stuck('b')], open: [open('a', ago(LAST_SEEN_REFRESH_MS))] },
      want: { open: ['b'], change: ['a'], touch: [], resolve: [] },
    },
  ];
  for (const { name, given, want } of rows) {
    it(name, () => {
      const changes = findingChanges(given.planned, openFindingsFromRows(given.open), NOW);
      const ids = (keys: string[]) => keys.map((k) => k.split('/')[1]);
      expect({
        open: ids(changes.open.map((r) => r.key)),
        change: ids(changes.change.map((r) => r.key)),
        touch: ids(changes.touch),
        resolve: ids(changes.resolve),
      }).toEqual(want);
      expect(writes(findingChangesFromRows(given.planned, given.open, NOW))).toEqual(writes(changes));
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

  it('leaves the open findings exactly the plan’s, the later of duplicates winning, none last seen a refresh period ago', () => {
    fc.assert(
      fc.property(fc.array(arbitraryFinding, { maxLength: 8 }), arbitraryOpen, (drawn, rows) => {
        const findings = drawn.map((f) => stuck(f.id, { severity: f.severity, message: f.message, ...(f.since ? { since: f.since } : {}) }));
        const latest = new Map(findings.map((f) => [keyOf(f.appliance as string), f]));
        const before = openFindingsFromRows(rows);
        const changes = findingChanges(findings, before, NOW);
        const after = applyFindingChanges(changes, NOW);
        expect([...after.byKey.keys()].sort()).toEqual([...latest.keys()].sort());
        for (const [key, f] of latest) expect(after.byKey.get(key)).toBe(f);
        expect(Date.parse(NOW) - after.seenSinceMs).toBeLessThan(LAST_SEEN_REFRESH_MS);
        // A finding is written at most once per pass, and none that is unchanged and fresh.
        const written = [...changes.open.map((r) => r.key), ...changes.change.map((r) => r.key), ...changes.touch, ...changes.resolve];
        expect(new Set(written).size).toBe(written.length);
        const again = findingChanges(findings, after, NOW);
        expect([again.open, again.change, again.touch, again.resolve].every((l) => l.length === 0)).toBe(true);
      }),
    );
  });

  it('writes the same whether it compares the rows as read or as remembered, in the same order', () => {
    const keyed = fc.uniqueArray(fc.tuple(arbitraryFinding, fc.integer({ min: 0, max: 2 * LAST_SEEN_REFRESH_MS })), { selector: ([f]) => f.id });
    fc.assert(
      fc.property(fc.array(arbitraryFinding, { maxLength: 8 }), keyed, fc.boolean(), (drawn, opened, unreadable) => {
        const findings = drawn.map((f) => stuck(f.id, { severity: f.severity, message: f.message, ...(f.since ? { since: f.since } : {}) }));
        const rows = opened.map(([f, age], i) => open(f.id, unreadable && i === 0 ? 'yesterday' : ago(age), { severity: f.severity, since: f.since ?? null, message: f.message }));
        const fromRows = findingChangesFromRows(findings, rows, NOW);
        expect(writes(fromRows)).toEqual(writes(findingChanges(findings, openFindingsFromRows(rows), NOW)));
        expect(applyFindingChanges(fromRows, NOW).seenSinceMs).toEqual(applyFindingChanges(findingChanges(findings, openFindingsFromRows(rows), NOW), NOW).seenSinceMs);
      }),
    );
  });

  it('writes the same whether the rows come at once or in parts', () => {
    const keyed = fc.uniqueArray(fc.tuple(arbitraryFinding, fc.integer({ min: 0, max: 2 * LAST_SEEN_REFRESH_MS })), { selector: ([f]) => f.id });
    fc.assert(
      fc.property(fc.array(arbitraryFinding, { maxLength: 8 }), keyed, fc.array(fc.nat(), { maxLength: 4 }), (drawn, opened, cuts) => {
        const findings = drawn.map((f) => stuck(f.id, { severity: f.severity, message: f.message, ...(f.since ? { since: f.since } : {}) }));
        const rows = opened.map(([f, age]) => open(f.id, ago(age), { severity: f.severity, since: f.since ?? null, message: f.message }));
        const comparison = new FindingRowComparison(findings, NOW);
        const at = [0, ...cuts.map((c) => c % (rows.length + 1)).sort((a, b) => a - b), rows.length];
        for (let i = 1; i < at.length; i++) comparison.add(rows.slice(at[i - 1], at[i]));
        const inParts = comparison.changes();
        const whole = findingChangesFromRows(findings, rows, NOW);
        expect(writes(inParts)).toEqual(writes(whole));
        expect(inParts.seenSinceMs).toEqual(whole.seenSinceMs);
      }),
    );
  });

  it('takes the last seen of every open finding at once: the oldest row’s, and now once all were refreshed', () => {
    const rows = [open('a', ago(60_000)), open('b', ago(120_000))];
    const before = openFindingsFromRows(rows);
    expect(before.seenSinceMs).toBe(Date.parse(ago(120_000)));
    expect(openFindingsFromRows([]).seenSinceMs).toBeNaN();
    expect(openFindingsFromRows([...rows, open('c', 'yesterday')]).seenSinceMs).toBeNaN();
    // A new finding a minute later is last seen then, later than the oldest: the oldest stays.
    const later = new Date(Date.parse(NOW) + 60_000).toISOString();
    const quiet = findingChanges([stuck('a'), stuck('b'), stuck('d')], before, later);
    expect(quiet.refreshed).toBe(false);
    expect(applyFindingChanges(quiet, later).seenSinceMs).toBe(before.seenSinceMs);
    // A refresh period after the oldest: every unchanged one touched, all last seen now.
    const due = new Date(before.seenSinceMs + LAST_SEEN_REFRESH_MS).toISOString();
    const refresh = findingChanges([stuck('a'), stuck('b')], before, due);
    expect(refresh.touch.sort()).toEqual([keyOf('a'), keyOf('b')]);
    expect(applyFindingChanges(refresh, due).seenSinceMs).toBe(Date.parse(due));
  });
});

describe('what comparing leaves in the open findings', () => {
  it('changes nothing remembered, whatever the plan', () => {
    const id = fc.constantFrom('a', 'b', 'c');
    const message = fc.constantFrom(undefined, 'stuck for 2h');
    const since = fc.constantFrom(undefined, ago(60_000));
    const planned = fc.array(fc.record({ id, message, since }), { maxLength: 4 });
    const remembered = fc.uniqueArray(fc.record({ id, message, since }), { selector: (r) => r.id, maxLength: 3 });
    fc.assert(
      fc.property(planned, remembered, (plan, rows) => {
        const openNow: OpenFindings = openFindingsFromRows(rows.map((r) => open(r.id, NOW, { ...(r.message ? { message: r.message } : {}), since: r.since ?? null })));
        const before = structuredClone(openNow);
        findingChanges(
          plan.map((p) => stuck(p.id, { ...(p.message ? { message: p.message } : {}), ...(p.since ? { since: p.since } : {}) })),
          openNow,
          NOW,
        );
        expect(openNow).toEqual(before);
      }),
    );
  });
});

describe('the open-findings cache', () => {
  it('answers only for the state version it was recorded at, and nothing once cleared', () => {
    const cache = new OpenFindingsCache();
    const known = openFindingsFromRows([open('a', NOW)]);
    expect(cache.at(0)).toBeNull();
    cache.set(3, known);
    expect(cache.at(3)).toBe(known);
    expect(cache.at(2)).toBeNull();
    expect(cache.at(4)).toBeNull();
    cache.clear();
    expect(cache.at(3)).toBeNull();
  });
});
