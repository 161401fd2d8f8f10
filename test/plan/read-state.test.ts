import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseStateText, readStateFile } from '../../controller/observed/read-state.js';

const valid = {
  apiVersion: 'muster.dev/v1alpha1',
  kind: 'State',
  exportedAt: '2026-01-31T12:00:00Z',
  appliances: [
    { id: 'a', lastCheckinAt: '2026-01-31T11:00:00Z', agentVersion: '1.0.0', imageVersion: null, update: null, retention: null },
    { id: 'b', lastCheckinAt: '2026-01-31T11:00:00Z', agentVersion: '1.0.0', imageVersion: null, update: null, retention: null },
  ],
  rollouts: [],
  proofs: { pending: [], anchored: 0, expired: 0, failed: 0 },
};
const withChange = (change: (doc: typeof valid & Record<string, unknown>) => void) => {
  const doc = structuredClone(valid) as typeof valid & Record<string, unknown>;
  change(doc);
  return JSON.stringify(doc);
};

describe('reading a State document', () => {
  const rows: { name: string; given: string; want: string[] | 'ok' }[] = [
    { name: 'a valid document', given: JSON.stringify(valid), want: 'ok' },
    { name: 'more fields than the schema names', given: withChange((d) => (d.note = 'exported by hand')), want: 'ok' },
    { name: 'not JSON', given: '{"apiVersion":', want: ['not JSON'] },
    {
      name: 'a bad time, with its JSON path',
      given: withChange((d) => ((d.appliances[1] as { lastCheckinAt: string }).lastCheckinAt = 'yesterday')),
      want: ['/appliances/1/lastCheckinAt: must match pattern'],
    },
    { name: 'a missing field', given: withChange((d) => delete (d as Partial<typeof valid>).proofs), want: ['/: must have property "proofs"'] },
    { name: 'a wrong kind', given: withChange((d) => (d.kind = 'Plan')), want: ['/kind: must be one of "State"'] },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const result = parseStateText(row.given);
      if (row.want === 'ok') expect(result.ok).toBe(true);
      else {
        expect(result.ok).toBe(false);
        const errors = result.ok ? [] : result.errors;
        for (const w of row.want) expect(errors.some((e) => e.startsWith(w))).toBe(true);
      }
    });
  }

  it('reports a file it cannot read as an error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'muster-state-'));
    const result = await readStateFile(join(dir, 'missing.json'));
    expect(result).toEqual({ ok: false, errors: [expect.stringContaining('ENOENT')] });
    writeFileSync(join(dir, 'state.json'), JSON.stringify(valid));
    expect((await readStateFile(join(dir, 'state.json'))).ok).toBe(true);
  });

  it('accepts the seed scenario state', async () => {
    expect((await readStateFile('test/fixtures/scenarios/seed-v51/state.json')).ok).toBe(true);
  });
});
