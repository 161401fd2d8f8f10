import type { DesiredState, Release, RetentionPolicy } from '../desired/types.js';
import type { CheckinResponse } from '../observed/checkin-response-schema.js';
import type { Plan } from '../reconcile/plan.js';
import { retentionPolicyOf } from '../reconcile/retention-of.js';

/** What the check-in route asks of the answers: one appliance's response body, serialized. */
export interface CheckinAnswers {
  responseFor(applianceId: string): string;
  /**
   * False while no desired state has been planned (a controller that has just started): the targets
   * are not known, and an answer of "no target" would make an appliance drop an update in progress.
   */
  readonly ready: boolean;
}

/**
 * Every declared appliance's answer in compact form: the distinct bodies (a fleet has a handful,
 * release × retention policy) and, per appliance in the desired state's order, which body is its.
 * Plain data and one typed array, so a reconcile worker can hand it to the API's thread cheaply.
 */
export interface CompactAnswers {
  bodies: string[];
  /** `bodyOf[i]` is the body of `desired.appliances[i]`. */
  bodyOf: Uint32Array;
}

/**
 * What every appliance is told at check-in, computed once per plan rather than per request: its target
 * (from the plan's statuses) and its retention policy (see retentionPolicyOf).
 */
export class ResponseIndex implements CheckinAnswers {
  private readonly positions: ReadonlyMap<string, number>;
  private readonly fallback: string;

  /** From a plan; or, with `compact` already computed (by a reconcile worker), without one. */
  constructor(
    desired: DesiredState | null,
    plan: Plan | null,
    private readonly compact: CompactAnswers | null = desired ? compactAnswers(desired, plan) : null,
  ) {
    this.fallback = JSON.stringify({ target: null, retention: null, checkinIntervalSeconds: intervalSecondsOf(desired) } satisfies CheckinResponse);
    this.positions = desired ? positionsOf(desired) : new Map();
  }

  get ready(): boolean {
    return this.compact !== null;
  }

  /** The response body for one appliance, already serialized; appliances no longer declared get no target. */
  responseFor(applianceId: string): string {
    const position = this.positions.get(applianceId);
    if (position === undefined || !this.compact) return this.fallback;
    return this.compact.bodies[this.compact.bodyOf[position] as number] ?? this.fallback;
  }
}

function intervalSecondsOf(desired: DesiredState | null): number {
  return Math.max(1, Math.round((desired?.fleet.checkinIntervalMs ?? 60_000) / 1000));
}

/** Every declared appliance's answer to a plan, each distinct body serialized once and shared. */
export function compactAnswers(desired: DesiredState, plan: Plan | null): CompactAnswers {
  const intervalSeconds = intervalSecondsOf(desired);
  const releases = new Map(desired.releases.map((r) => [r.name, r]));
  const targets = new Map((plan?.appliances ?? []).map((a) => [a.id, a.target]));
  const bodies: string[] = [];
  const bodyOf = new Uint32Array(desired.appliances.length);
  const seen = new Map<Release | undefined, Map<RetentionPolicy | undefined, number>>();
  const retention = retentionPolicyOf(desired);
  desired.appliances.forEach((appliance, i) => {
    const releaseName = targets.get(appliance.name) ?? null;
    const release = releaseName ? releases.get(releaseName) : undefined;
    const policy = retention.policies[retention.of[i] as number];
    let byPolicy = seen.get(release);
    if (!byPolicy) seen.set(release, (byPolicy = new Map()));
    let body = byPolicy.get(policy);
    if (body === undefined) {
      const response: CheckinResponse = {
        target: release ? { name: release.name, version: release.version, image: { ...release.image } } : null,
        retention: policy ? retentionResponse(policy) : null,
        checkinIntervalSeconds: intervalSeconds,
      };
      body = bodies.push(JSON.stringify(response)) - 1;
      byPolicy.set(policy, body);
    }
    bodyOf[i] = body;
  });
  return { bodies, bodyOf };
}

// Which position each appliance has changes only with the desired state, not with every plan.
const positionCache = new WeakMap<DesiredState, Map<string, number>>();

function positionsOf(desired: DesiredState): Map<string, number> {
  let positions = positionCache.get(desired);
  if (!positions) {
    positions = new Map(desired.appliances.map((a, i) => [a.name, i]));
    positionCache.set(desired, positions);
  }
  return positions;
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
