import type { DesiredState, RetentionPolicy } from '../desired/types.js';
import { compileSelector } from './eligible.js';

/** Which retention policy each declared appliance follows. */
export interface RetentionDecision {
  /** The declared policies, sorted by name. */
  policies: RetentionPolicy[];
  /** For `desired.appliances[k]`, the position in `policies` of the policy it follows, or -1 for none. */
  of: Int32Array;
}

const byDesired = new WeakMap<DesiredState, RetentionDecision>();

/**
 * The RetentionPolicy each declared appliance follows: the one whose selector matches its labels;
 * none when no policy selects it. Loading rejects two policies that select a common appliance, so
 * there is at most one; should a desired state built otherwise hold overlapping policies, the first
 * by name applies. This is the one place the rule is decided: the findings and history retention
 * (through the desired index) and the check-in answers all read it. Worked out once per desired
 * state and kept while that state lives.
 */
export function retentionPolicyOf(desired: DesiredState): RetentionDecision {
  let decision = byDesired.get(desired);
  if (!decision) byDesired.set(desired, (decision = decide(desired)));
  return decision;
}

function decide(desired: DesiredState): RetentionDecision {
  const policies = [...desired.retentionPolicies].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const matchers = policies.map((p) => compileSelector(p.selector));
  const of = Int32Array.from(desired.appliances, (a) => matchers.findIndex((matches) => matches(a.labels)));
  return { policies, of };
}
