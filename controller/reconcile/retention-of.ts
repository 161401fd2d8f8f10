import type { DesiredState, RetentionPolicy } from '../desired/types.js';
import { compileSelector } from './eligible.js';

const byDesired = new WeakMap<DesiredState, ReadonlyMap<string, RetentionPolicy>>();

/**
 * The RetentionPolicy each declared appliance follows, by appliance name: the one whose selector
 * matches its labels; appliances no policy selects are absent. Loading rejects two policies that
 * select a common appliance, so there is at most one; should a desired state built otherwise hold
 * overlapping policies, the first by name applies. This is the one place the rule is decided: the
 * findings and history retention (through the desired index) and the check-in answers all read it.
 * Worked out once per desired state and kept while that state lives.
 */
export function retentionPolicyOf(desired: DesiredState): ReadonlyMap<string, RetentionPolicy> {
  let policies = byDesired.get(desired);
  if (!policies) byDesired.set(desired, (policies = decide(desired)));
  return policies;
}

function decide(desired: DesiredState): Map<string, RetentionPolicy> {
  const ordered = [...desired.retentionPolicies].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const matchers = ordered.map((p) => compileSelector(p.selector));
  const policies = new Map<string, RetentionPolicy>();
  for (const appliance of desired.appliances) {
    const k = matchers.findIndex((matches) => matches(appliance.labels));
    if (k >= 0) policies.set(appliance.name, ordered[k] as RetentionPolicy);
  }
  return policies;
}
