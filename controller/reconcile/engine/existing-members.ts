import { assignmentVerdict, type RecordedAssignment } from '../assignment-verdict.js';
import type { ReconcileContext } from '../context.js';
import { recordMember, verdictAt, type MemberTerms } from './member-table.js';

/**
 * The rollout's members from its recorded assignments (see assignmentVerdict), each at its
 * earliest assignment time: recorded in the member table and written to the workspace's
 * `memberList[0, count)`. Appliances lost to a claim are marked in the target table. `anyRecorded`:
 * whether any assignment names the rollout's release, counted or not.
 */
export function existingMembers(ctx: ReconcileContext, rank: number, terms: MemberTerms): { count: number; anyRecorded: boolean } {
  // Earliest times are kept in a column of the pass's workspace, so a rollout of 100,000 assignments
  // allocates nothing per assignment.
  const { earliestAssignedAtMs, memberList: list } = ctx.workspace;
  const t = ctx.targets;
  const release = terms.release.name;
  const given: RecordedAssignment = { release: '', targetRank: -1, targetRelease: null, alreadyMember: false };
  let count = 0;
  let anyRecorded = false;
  for (let row = t.from[rank] as number; row < (t.to[rank] as number); row++) {
    const i = t.position[row] as number;
    const current = t.targetRow[i] as number;
    given.release = t.release[row] as string;
    given.targetRank = current < 0 ? -1 : (t.rank[current] as number);
    given.targetRelease = current < 0 ? null : (t.release[current] as string);
    given.alreadyMember = ctx.members.rankOf[i] !== -1;
    if (given.release === release) anyRecorded = true;
    const verdict = assignmentVerdict(given, rank, release);
    if (verdict === 'lost') t.lost[i] = rank;
    if (verdict !== 'member') continue;
    const at = t.atMs[row] as number;
    const before = earliestAssignedAtMs[i] as number;
    if (Number.isNaN(before)) list[count++] = i;
    if (Number.isNaN(before) || at < before) earliestAssignedAtMs[i] = at;
  }
  for (let k = 0; k < count; k++) {
    const i = list[k] as number;
    const at = earliestAssignedAtMs[i] as number;
    recordMember(ctx.members, i, rank, at, verdictAt(ctx.seen, i, at, terms));
    earliestAssignedAtMs[i] = NaN;
  }
  return { count, anyRecorded };
}

/** Compacts `list[0, count)` to the members the rollout at `rank` still holds; returns how many. */
export function keepMembersOfRank(ctx: ReconcileContext, list: Int32Array, count: number, rank: number): number {
  let kept = 0;
  for (let k = 0; k < count; k++) {
    const i = list[k] as number;
    if (ctx.members.rankOf[i] === rank) list[kept++] = i;
  }
  return kept;
}
