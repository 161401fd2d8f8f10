import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SHARED, ObservationReader } from '../../controller/store/observation-reader.js';
import { rolloutDocuments, type ApplianceRow, type AssignmentRow } from '../../controller/store/observed-document.js';

const UPDATE = JSON.stringify({ release: 'v1.0.49', phase: 'succeeded', since: '2026-01-23T02:10:00Z', attempt: 1, error: null });
const RETENTION = JSON.stringify({ policyHash: null, lastPrunedAt: null, databaseBytes: 1024, incidents: 3, oldestIncidentAt: null });

function row(id: string, fields: Partial<ApplianceRow> = {}): ApplianceRow {
  return { id, lastCheckinMs: Date.parse('2026-01-31T12:00:00Z'), agentVersion: '1.0.49', imageVersion: '49', update: UPDATE, deferUntil: null, retention: RETENTION, ...fields };
}

describe('reading the observations of a fleet', () => {
  it('gives appliances that reported the same JSON the same object, parsed once', () => {
    const reader = new ObservationReader();
    const [a, b, c] = [row('a'), row('b'), row('c', { retention: RETENTION.replace('1024', '2048') })].map((r) => reader.document(r));
    expect(a?.update).toBe(b?.update);
    expect(a?.retention).toBe(b?.retention);
    expect(c?.retention).not.toBe(a?.retention);
    expect(c?.retention?.databaseBytes).toBe(2048);
  });

  it('builds the same document as parsing each row on its own, keys in schema order', () => {
    const text = fc.option(fc.constantFrom(UPDATE, RETENTION), { nil: null });
    const rows = fc.array(
      fc.record({
        id: fc.string({ minLength: 1, maxLength: 4 }),
        lastCheckinMs: fc.integer({ min: 0, max: 4_000_000_000_000 }),
        agentVersion: fc.option(fc.constantFrom('1.0.45', '1.0.49'), { nil: null }),
        imageVersion: fc.option(fc.constantFrom('45', '49'), { nil: null }),
        update: text,
        deferUntil: fc.option(fc.constant('2026-02-01T00:00:00Z'), { nil: null }),
        retention: text,
      }),
      { maxLength: 10 },
    );
    fc.assert(
      fc.property(rows, (given) => {
        const reader = new ObservationReader();
        for (const r of given) {
          const want = {
            id: r.id,
            lastCheckinAt: new Date(r.lastCheckinMs).toISOString(),
            agentVersion: r.agentVersion,
            imageVersion: r.imageVersion,
            update: r.update === null ? null : JSON.parse(r.update),
            ...(r.deferUntil === null ? {} : { deferUntil: r.deferUntil }),
            retention: r.retention === null ? null : JSON.parse(r.retention),
          };
          expect(JSON.stringify(reader.document(r))).toBe(JSON.stringify(want));
        }
      }),
    );
  });

  it('reads distinct retention reports as distinct objects with their fields intact', () => {
    const hash = 'ab'.repeat(32);
    const text = (bytes: number) => JSON.stringify({ policyHash: hash, lastPrunedAt: null, databaseBytes: bytes, incidents: 0, oldestIncidentAt: null });
    const [a, b] = [row('a', { retention: text(1) }), row('b', { retention: text(2) })].map((r) => new ObservationReader().document(r));
    const reader = new ObservationReader();
    const [c, d] = [row('c', { retention: text(1) }), row('d', { retention: text(2) })].map((r) => reader.document(r));
    expect([c?.retention, d?.retention]).toEqual([a?.retention, b?.retention]);
    expect(d?.retention?.policyHash).toBe(hash);
  });

  it('stops sharing after MAX_SHARED distinct texts, still reading each one right', () => {
    const reader = new ObservationReader();
    const retention = (n: number) => RETENTION.replace('1024', String(n));
    for (let n = 0; n < MAX_SHARED; n++) reader.document(row(`a${n}`, { retention: retention(n) }));
    const [first, again] = [row('x', { retention: retention(0) }), row('y', { retention: retention(0) })].map((r) => reader.document(r));
    expect(first?.retention).toBe(again?.retention);
    const [late, lateAgain] = [row('p', { retention: retention(-1) }), row('q', { retention: retention(-1) })].map((r) => reader.document(r));
    expect(late?.retention).toEqual(JSON.parse(retention(-1)));
    expect(lateAgain?.retention).toEqual(late?.retention);
    expect(lateAgain?.retention).not.toBe(late?.retention);
  });
});

describe('reading the assignments of a fleet', () => {
  const assignment = (fields: Partial<AssignmentRow>): AssignmentRow => ({ rollout: 'r1', appliance: 'a', release: 'v1', at: '2026-01-31T12:00:00.000Z', previous: null, ...fields });

  const cases: { name: string; given: AssignmentRow[]; want: { name: string; assignments: unknown[] }[] }[] = [
    { name: 'no previous target: no previous field', given: [assignment({})], want: [{ name: 'r1', assignments: [{ appliance: 'a', release: 'v1', at: '2026-01-31T12:00:00.000Z' }] }, { name: 'r2', assignments: [] }] },
    { name: 'a cleared previous (JSON null) is absent', given: [assignment({ previous: 'null' })], want: [{ name: 'r1', assignments: [{ appliance: 'a', release: 'v1', at: '2026-01-31T12:00:00.000Z' }] }, { name: 'r2', assignments: [] }] },
    {
      name: 'a previous target is parsed; order kept per rollout',
      given: [assignment({ appliance: 'b', previous: '{"rollout":"r0","release":"v0"}' }), assignment({ rollout: 'r2' }), assignment({ appliance: 'c' })],
      want: [
        { name: 'r1', assignments: [{ appliance: 'b', release: 'v1', at: '2026-01-31T12:00:00.000Z', previous: { rollout: 'r0', release: 'v0' } }, { appliance: 'c', release: 'v1', at: '2026-01-31T12:00:00.000Z' }] },
        { name: 'r2', assignments: [{ appliance: 'a', release: 'v1', at: '2026-01-31T12:00:00.000Z' }] },
      ],
    },
  ];
  const rollout = (name: string) => ({ name, stage: 1, stageStartedAt: '2026-01-31T00:00:00Z', phase: 'Progressing' as const, conditions: null, latch: null, revision: null, release: null, version: null, rollback: null });

  for (const c of cases) {
    it(c.name, () => {
      const reader = new ObservationReader();
      reader.document(row('a'));
      // Streamed rows (a generator) read the same as a list.
      const docs = rolloutDocuments([rollout('r1'), rollout('r2')], (function* () {
        yield* c.given;
      })(), reader);
      expect(docs.map((d) => ({ name: d.name, assignments: d.assignments }))).toEqual(c.want);
    });
  }

  it('gives assignments made alike one previous-target object', () => {
    const previous = '{"rollout":"r0","release":"v0"}';
    const [doc] = rolloutDocuments([rollout('r1')], [assignment({ appliance: 'a', previous }), assignment({ appliance: 'b', previous })]);
    expect(doc?.assignments[0]?.previous).toBe(doc?.assignments[1]?.previous);
  });
});
