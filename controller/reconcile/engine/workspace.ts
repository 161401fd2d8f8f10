import type { ApplianceObservation } from '../../observed/state-schema.js';
import type { HeldTable } from './member-set.js';
import type { MemberTable } from './member-table.js';
import type { SeenTable } from './seen-table.js';
import type { TargetTable } from './target-table.js';

/**
 * The columns one pass writes, one slot per declared appliance: what each reported, its
 * membership, what holds it back, and a rollout's member list while it is planned. A pass over
 * 100,000 appliances needs about 8 MB of them; a ReconcileCache keeps one workspace and hands it to
 * every pass, so that they are not allocated afresh and left to the collector each time. Nothing in
 * a plan refers to a workspace, and a pass clears what it holds of the observed state when it ends.
 */
export interface Workspace {
  size: number;
  seen: SeenTable;
  members: MemberTable;
  held: HeldTable;
  /** Per appliance, the earliest time among a rollout's assignment rows while its members are found (see existingMembers); NaN between uses. */
  earliestAssignedAtMs: Float64Array;
  /** The positions of the members of the rollout being planned. */
  memberList: Int32Array;
  /** Every assignment of the last pass and each appliance's target, kept to reuse its columns. */
  targets: TargetTable | null;
  /** Whether a pass is using it (a second pass would get a workspace of its own). */
  inUse: boolean;
}

/** A workspace for `size` declared appliances, as a pass starts with it. */
export function newWorkspace(size: number): Workspace {
  const ws: Workspace = {
    size,
    seen: {
      obs: new Array<ApplianceObservation | undefined>(size),
      lastCheckinMs: new Float64Array(size),
      deferUntilMs: new Float64Array(size),
      updateSinceMs: new Float64Array(size),
      version: new Array<string | null>(size),
    },
    members: {
      rankOf: new Int32Array(size),
      status: new Uint8Array(size),
      assignedAtMs: new Float64Array(size),
      finalAtMs: new Float64Array(size),
      deadlineMs: new Float64Array(size),
    },
    held: { heldByRank: new Int32Array(size), holdCode: new Uint8Array(size) },
    earliestAssignedAtMs: new Float64Array(size),
    memberList: new Int32Array(size),
    targets: null,
    inUse: false,
  };
  resetWorkspace(ws);
  return ws;
}

/** Sets every column to its empty value (NaN for times, -1 for positions, none observed). */
export function resetWorkspace(ws: Workspace): void {
  const { seen, members, held } = ws;
  seen.obs.fill(undefined);
  seen.lastCheckinMs.fill(NaN);
  seen.deferUntilMs.fill(NaN);
  seen.updateSinceMs.fill(NaN);
  seen.version.fill(null);
  members.rankOf.fill(-1);
  members.status.fill(0);
  members.assignedAtMs.fill(NaN);
  members.finalAtMs.fill(NaN);
  members.deadlineMs.fill(NaN);
  held.heldByRank.fill(-1);
  held.holdCode.fill(0);
  ws.earliestAssignedAtMs.fill(NaN);
}

/** Drops the workspace's references to the observed state, so that a finished pass does not keep it alive. */
export function releaseWorkspace(ws: Workspace): void {
  ws.seen.obs.fill(undefined);
  // Release names are the desired state's strings; dropping them keeps no old revision alive.
  ws.targets?.release.fill('');
  ws.inUse = false;
}
