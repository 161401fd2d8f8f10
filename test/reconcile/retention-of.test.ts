import { describe, expect, it } from 'vitest';
import { ResponseIndex } from '../../controller/api/response-index.js';
import type { DesiredState } from '../../controller/desired/types.js';
import { buildDesiredIndex } from '../../controller/reconcile/desired-index.js';
import { retentionPolicyOf } from '../../controller/reconcile/retention-of.js';
import { appliance, desired, retentionPolicy } from './builders.js';

const edge = retentionPolicy('edge', { selector: { matchLabels: { tier: 'edge' } } });
const core = retentionPolicy('core', { selector: { matchLabels: { tier: 'core' } } });
const all = retentionPolicy('all');
const fleet = [appliance('a', { tier: 'edge' }), appliance('b', { tier: 'core' }), appliance('c', { tier: 'lab' })];

// A desired state holding exactly the given policy list, in the given order (loading would sort and reject overlaps).
const withPolicies = (policies: DesiredState['retentionPolicies']): DesiredState => ({ ...desired({ appliances: fleet }), retentionPolicies: policies });

describe('the retention policy an appliance follows', () => {
  const rows: { name: string; given: DesiredState['retentionPolicies']; want: Record<string, string | null> }[] = [
    { name: 'none without policies', given: [], want: { a: null, b: null, c: null } },
    { name: 'the one whose selector matches its labels', given: [core, edge], want: { a: 'edge', b: 'core', c: null } },
    { name: 'a policy without selector selects every appliance', given: [all], want: { a: 'all', b: 'all', c: 'all' } },
    { name: 'with overlapping policies, the first by name, whatever the list order', given: [edge, all], want: { a: 'all', b: 'all', c: 'all' } },
  ];
  for (const row of rows) {
    it(row.name, () => {
      const d = withPolicies(row.given);
      const { policies, of } = retentionPolicyOf(d);
      const decided = new Map(d.appliances.map((x, k) => [x.name, policies[of[k] as number]]));
      expect(Object.fromEntries(fleet.map((x) => [x.name, decided.get(x.name)?.name ?? null]))).toEqual(row.want);
      // The findings' index and the check-in answers read the same decision.
      const index = buildDesiredIndex(d);
      expect(Object.fromEntries(index.ids.map((id, i) => [id, index.retentionPolicies[index.policyOf[i] as number]?.name ?? null]))).toEqual(row.want);
      const answers = new ResponseIndex(d, null);
      for (const x of fleet) {
        const hash = (JSON.parse(answers.responseFor(x.name)) as { retention: { policyHash: string } | null }).retention?.policyHash ?? null;
        expect(hash).toBe(decided.get(x.name)?.policyHash ?? null);
      }
    });
  }
});
