import type { Appliance, DesiredState, Release, RetentionPolicy, Rollout } from '../desired/types.js';
import type { ReconcileCache } from './engine/cache.js';
import { cohortPermutationAt } from './cohorts.js';
import { eligiblePositions, selectorKey, type LabelIndex } from './eligible.js';
import { retentionPolicyOf } from './retention-of.js';
import { compareVersions, normalizeVersion } from './versions.js';

/**
 * What reconcile derives from the desired state alone, computed once per desired state (the
 * controller plans the same revision every pass until a new one arrives): appliances sorted by id
 * and numbered by that position, so that per-appliance work is array indexing rather than string
 * lookups; eligible sets and cohort orders as positions; releases and rollouts in planning order.
 */
export interface DesiredIndex {
  /** Declared appliance ids, sorted; an appliance's position here is its index everywhere. */
  ids: string[];
  labels: Record<string, string>[];
  releases: Map<string, Release>;
  /** The first release (by name) of each normalized version, for UnexpectedVersion. */
  releaseByVersion: Map<string, Release>;
  /** Rollouts sorted newest first: release semver descending, then name descending. */
  rolloutsNewestFirst: Rollout[];
  /** The declared retention policies, sorted by name. */
  retentionPolicies: RetentionPolicy[];
  /** Per appliance, the position in retentionPolicies of the policy it should apply (see retentionPolicyOf), or -1. */
  policyOf: Int32Array;
  eligible: Map<string, Int32Array>;
  /** Appliances by label value, for the keys selectors have named so far. */
  byLabel: LabelIndex;
  orders: Map<string, Int32Array>;
}

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Indexes a desired state; independent of the order of its lists. */
export function buildDesiredIndex(desired: DesiredState): DesiredIndex {
  const appliances = [...desired.appliances].sort(byName);
  const ids = appliances.map((a) => a.name);
  const labels = appliances.map((a) => a.labels);
  const releases = new Map([...desired.releases].sort(byName).map((r) => [r.name, r]));
  const releaseByVersion = new Map<string, Release>();
  for (const release of releases.values()) {
    const version = normalizeVersion(release.version) ?? release.version;
    if (!releaseByVersion.has(version)) releaseByVersion.set(version, release);
  }
  const versionOf = (r: Rollout) => releases.get(r.release)?.version ?? '0.0.0';
  const { policies: retentionPolicies, of } = retentionPolicyOf(desired);
  const policyOf = inSortedOrder(desired.appliances, appliances, of);
  return {
    ids,
    labels,
    releases,
    releaseByVersion,
    rolloutsNewestFirst: [...desired.rollouts].sort((a, b) => compareVersions(versionOf(b), versionOf(a)) || byName(b, a)),
    retentionPolicies,
    policyOf,
    eligible: new Map(),
    byLabel: new Map(),
    orders: new Map(),
  };
}

/**
 * `of` (one entry per appliance of `declared`) in the order of `sorted`, the same appliances sorted by
 * name. A loaded desired state lists them sorted already, so this is most often a copy.
 */
function inSortedOrder(declared: readonly Appliance[], sorted: readonly Appliance[], of: Int32Array): Int32Array {
  if (sorted.every((a, i) => a === declared[i])) return Int32Array.from(of);
  const at = new Map(declared.map((a, k) => [a, k]));
  return Int32Array.from(sorted, (a) => of[at.get(a) as number] as number);
}

/** The positions of the appliances a selector makes eligible, ascending. */
export function eligibleOf(index: DesiredIndex, selector: Rollout['selector']): Int32Array {
  const key = selectorKey(selector);
  let positions = index.eligible.get(key);
  if (!positions) index.eligible.set(key, (positions = eligiblePositions(index.labels, selector, index.byLabel)));
  return positions;
}

/**
 * A rollout's eligible appliances in cohort order, as positions. Without a cache every appliance is
 * hashed; with one, the order comes from the previous revision's when the eligible set is the same
 * or close to it.
 */
export function cohortOrderOf(index: DesiredIndex, rollout: Rollout, cache: ReconcileCache | null): Int32Array {
  let order = index.orders.get(rollout.name);
  if (!order) {
    const positions = eligibleOf(index, rollout.selector);
    const perm = cache ? cache.cohortPermutationAt(rollout.name, index.ids, positions) : cohortPermutationAt(rollout.name, index.ids, positions);
    order = perm.map((k) => positions[k] as number);
    index.orders.set(rollout.name, order);
  }
  return order;
}
