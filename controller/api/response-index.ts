import { matchesSelector } from '../desired/selector.js';
import type { DesiredState, Release, RetentionPolicy } from '../desired/types.js';
import type { CheckinResponse } from '../observed/checkin-response-schema.js';
import type { Plan } from '../reconcile/plan.js';

/**
 * What every appliance is told at check-in, computed once per plan rather than per request: its target
 * (from the plan's statuses) and its retention policy (the one whose selector matches its labels).
 */
export class ResponseIndex {
  private readonly byAppliance = new Map<string, string>();
  private readonly fallback: string;

  constructor(desired: DesiredState | null, plan: Plan | null) {
    const intervalSeconds = Math.max(1, Math.round((desired?.fleet.checkinIntervalMs ?? 60_000) / 1000));
    this.fallback = JSON.stringify({ target: null, retention: null, checkinIntervalSeconds: intervalSeconds } satisfies CheckinResponse);
    if (!desired) return;
    const releases = new Map(desired.releases.map((r) => [r.name, r]));
    const targets = new Map((plan?.appliances ?? []).map((a) => [a.id, a.target]));
    // A fleet has a handful of distinct answers (release × policy): each is serialized once and shared,
    // which keeps rebuilding the index after every pass cheap for 100,000 appliances.
    const answers = new Map<Release | undefined, Map<RetentionPolicy | undefined, string>>();
    const policies = policiesOf(desired);
    for (const appliance of desired.appliances) {
      const releaseName = targets.get(appliance.name) ?? null;
      const release = releaseName ? releases.get(releaseName) : undefined;
      const policy = policies.get(appliance.name);
      let byPolicy = answers.get(release);
      if (!byPolicy) answers.set(release, (byPolicy = new Map()));
      let answer = byPolicy.get(policy);
      if (answer === undefined) {
        const response: CheckinResponse = {
          target: release ? { name: release.name, version: release.version, image: { ...release.image } } : null,
          retention: policy ? retentionResponse(policy) : null,
          checkinIntervalSeconds: intervalSeconds,
        };
        answer = JSON.stringify(response);
        byPolicy.set(policy, answer);
      }
      this.byAppliance.set(appliance.name, answer);
    }
  }

  /** The response body for one appliance, already serialized; appliances no longer declared get no target. */
  responseFor(applianceId: string): string {
    return this.byAppliance.get(applianceId) ?? this.fallback;
  }
}

// Which policy applies to whom changes only with the desired state, not with every plan.
const policyCache = new WeakMap<DesiredState, Map<string, RetentionPolicy | undefined>>();

/** Each declared appliance's retention policy: the first whose selector matches its labels. */
function policiesOf(desired: DesiredState): Map<string, RetentionPolicy | undefined> {
  let policies = policyCache.get(desired);
  if (!policies) {
    policies = new Map(desired.appliances.map((a) => [a.name, desired.retentionPolicies.find((p) => matchesSelector(p.selector, a.labels))]));
    policyCache.set(desired, policies);
  }
  return policies;
}

function retentionResponse(policy: RetentionPolicy): NonNullable<CheckinResponse['retention']> {
  return {
    policy: {
      retainDays: policy.incidents.retainDays,
      keepUnresolved: policy.incidents.keepUnresolved,
      pruneEverySeconds: Math.round(policy.incidents.pruneEveryMs / 1000),
      vacuum: policy.incidents.vacuum,
    },
    policyHash: policy.policyHash,
  };
}
