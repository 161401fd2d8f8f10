import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ObservationReader } from '../../controller/store/observation-reader.js';
import type { ApplianceRow } from '../../controller/store/observed-document.js';

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
});
