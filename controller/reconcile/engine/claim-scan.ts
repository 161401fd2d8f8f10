import { claimOf, type Claim, type ClaimingRollout, type ClaimTarget } from '../claims.js';
import { compareVersions } from '../versions.js';
import type { MemberTable } from './member-table.js';
import type { TargetTable } from './target-table.js';

/** The claim rule of one rollout over the pass's columns (see claimOf). */
export interface ClaimScan {
  targets: TargetTable;
  /** Per appliance: the normalized version it reports, or null. */
  versions: readonly (string | null)[];
  rollout: ClaimingRollout;
  /** The one view filled for each appliance in turn: a rollout weighs up to 100,000 of them. */
  view: ClaimTarget;
}

/**
 * The claim scan of the rollout at `rank` delivering `release` (normalized version `version`):
 * whether a version is newer is decided once per distinct version (a few versions, 100,000 appliances).
 */
export function claimScan(targets: TargetTable, versions: readonly (string | null)[], rank: number, release: string, version: string, rollback: boolean): ClaimScan {
  const newer = new Map<string, boolean>();
  const isNewer = (v: string): boolean => {
    let answer = newer.get(v);
    if (answer === undefined) newer.set(v, (answer = version !== '' && compareVersions(v, version) > 0));
    return answer;
  };
  return { targets, versions, rollout: { rank, release, rollback, isNewer }, view: { lostHere: false, rank: -1, release: null, version: null } };
}

/** What the rollout may do with appliance `i`, not yet its member (see claimOf). */
export function claimAt(scan: ClaimScan, i: number): Claim {
  const t = scan.targets;
  const view = scan.view;
  const row = t.targetRow[i] as number;
  view.lostHere = t.lost[i] === scan.rollout.rank;
  view.rank = row < 0 ? -1 : (t.rank[row] as number);
  view.release = row < 0 ? null : (t.release[row] as string);
  view.version = scan.versions[i] ?? null;
  return claimOf(view, scan.rollout);
}

/**
 * Over the eligible appliances in `order` that are no rollout's member yet: whether the rollout may
 * take any, and the positions it refuses as `newer`, ascending.
 */
export function eligibleClaims(scan: ClaimScan, members: MemberTable, order: Int32Array): { anyClaimable: boolean; newer: number[] } {
  const { rankOf } = members;
  let anyClaimable = false;
  const newer: number[] = [];
  for (let k = 0; k < order.length; k++) {
    const i = order[k] as number;
    if (rankOf[i] !== -1) continue;
    const claim = claimAt(scan, i);
    if (claim === 'take') anyClaimable = true;
    else if (claim === 'newer') newer.push(i);
  }
  return { anyClaimable, newer: newer.sort((a, b) => a - b) };
}
