import type { Rollout } from '../desired/types.js';
import type { RolloutObservation, RolloutPhase } from '../observed/state-schema.js';
import { advanceStages, type StageProgress } from './advance.js';
import { evaluateMember, type MemberEval } from './appliance-status.js';
import { memberSet, type Hold, type MemberSet } from './assignments.js';
import type { ReconcileCache } from './cache.js';
import { computeCohortOrder } from './cohorts.js';
import { releaseRef, type ReconcileContext, type ReleaseRef } from './context.js';
import type { EligibleSets } from './eligible.js';
import { decideLatch, failedMembers, isStopped, type LatchDecision } from './failure-policy.js';
import { decidePhase } from './phases.js';
import { rolloutActions } from './rollout-actions.js';
import { rolloutStatus } from './rollout-status.js';
import type { Action, RolloutStatus } from './plan.js';
import { causeOf, type Cause } from './stuck-reasons.js';
import { toMs } from './time.js';
import { isWindowOpen } from './window.js';

/** Everything one rollout's pass decided, for the plan and for the steps that follow it. */
export interface RolloutOutcome {
  spec: Rollout;
  release: ReleaseRef;
  observed: RolloutObservation | null;
  order: readonly string[];
  decision: LatchDecision;
  progress: StageProgress;
  phase: RolloutPhase;
  /** Targeted members once the plan is applied: assigned and not claimed by a newer rollout. */
  set: MemberSet;
  withdrawn: string[];
  stuck: { member: MemberEval; cause: Cause }[];
  failed: MemberEval[];
  actions: Action[];
  status: RolloutStatus;
}

export interface RolloutPassDeps {
  eligible: EligibleSets;
  cache: ReconcileCache | null;
  /** Appliance → the newer rollout whose assignment targets it. */
  claims: ReadonlyMap<string, string>;
}

/**
 * Plans one rollout: its members from existing assignments (minus those newer rollouts claimed), the
 * failure latch, withdrawals when aborted, assignments and stage advances as far as allowed at
 * `now`, then its phase, status and actions. Statuses describe the rollout once the plan is applied.
 */
export function planRollout(ctx: ReconcileContext, spec: Rollout, deps: RolloutPassDeps): RolloutOutcome {
  const found = ctx.releases.get(spec.release);
  // A valid desired state always has the release; without one no agent version can match it.
  const release: ReleaseRef = found ? releaseRef(found) : { name: spec.release, version: '' };
  const observed = ctx.observedRollouts.get(spec.name) ?? null;
  const eligible = deps.eligible.eligible(spec.selector);
  const order = deps.cache ? deps.cache.cohortOrder(spec.name, eligible) : computeCohortOrder(spec.name, eligible);
  const { members, anyAssigned } = existingMembers(ctx, spec, release, observed, deps.claims);
  const anyUnclaimed = members.size > 0 || order.some((id) => !deps.claims.has(id));
  // Failed members as found, before an abort withdraws them: the message and finding name them.
  const failed = failedMembers(members.values()).sort((a, b) => (a.id < b.id ? -1 : 1));
  const decision = decideLatch(spec, observed, failed);
  const withdrawn = decision.kind !== 'active' && decision.kind !== 'spec-paused' && decision.phase === 'Aborted' ? withdraw(members) : [];
  const set = memberSet(members);
  const progress = advanceStages({
    spec,
    stage: observed ? Math.min(Math.max(1, observed.stage), spec.stages.length) : 1,
    stageStartMs: observed ? (toMs(observed.stageStartedAt) ?? ctx.nowMs) : ctx.nowMs,
    active: !isStopped(decision),
    anyUnclaimed,
    set,
    scan: {
      order,
      claimedByNewer: deps.claims,
      rolloutHold: rolloutHold(spec, decision, ctx.nowMs),
      maxConcurrent: spec.maxConcurrent,
      release,
      seen: ctx.seen,
      progressDeadlineMs: spec.progressDeadlineMs,
      nowMs: ctx.nowMs,
    },
  });
  const stuck = stuckMembers(ctx, set, release);
  const phase = decidePhase({
    decision,
    anyMember: order.length > 0 || anyAssigned,
    anyUnclaimed,
    observedPhase: observed?.phase ?? null,
    anyStuck: stuck.length > 0,
    lastStageComplete: progress.stage === spec.stages.length && progress.completedAtMs !== null,
    targeted: set.members.size,
  });
  const outcome = { spec, release, observed, order, decision, progress, phase, set, withdrawn, stuck, failed };
  return { ...outcome, actions: rolloutActions(outcome), status: rolloutStatus(ctx, outcome, deps.claims) };
}

function existingMembers(
  ctx: ReconcileContext,
  spec: Rollout,
  release: ReleaseRef,
  observed: RolloutObservation | null,
  claims: ReadonlyMap<string, string>,
): { members: Map<string, MemberEval>; anyAssigned: boolean } {
  const earliest = new Map<string, number>();
  let anyAssigned = false;
  for (const a of observed?.assignments ?? []) {
    // An assignment of another release (the spec changed it) or of an appliance no longer declared
    // is ignored: the first is assigned afresh, the second is reported as unknown.
    if (a.release !== spec.release || !ctx.declared.has(a.appliance)) continue;
    anyAssigned = true;
    if (claims.has(a.appliance)) continue;
    const at = toMs(a.at) ?? ctx.nowMs;
    const before = earliest.get(a.appliance);
    if (before === undefined || at < before) earliest.set(a.appliance, at);
  }
  const members = new Map<string, MemberEval>();
  for (const [id, at] of earliest) {
    members.set(id, evaluateMember(id, at, false, release, ctx.seen.get(id), spec.progressDeadlineMs, ctx.nowMs));
  }
  return { members, anyAssigned };
}

/** An aborted rollout withdraws its assignment from every member that has not succeeded. */
function withdraw(members: Map<string, MemberEval>): string[] {
  const withdrawn: string[] = [];
  for (const [id, m] of members) if (m.status !== 'succeeded') withdrawn.push(id);
  for (const id of withdrawn) members.delete(id);
  return withdrawn.sort();
}

function rolloutHold(spec: Rollout, decision: LatchDecision, nowMs: number): Hold | null {
  if (decision.kind === 'spec-paused') return 'paused';
  if (decision.kind === 'held' || decision.kind === 'tripped') return 'failures';
  if (spec.window && !isWindowOpen(spec.window, nowMs)) return 'window';
  return null;
}

function stuckMembers(ctx: ReconcileContext, set: MemberSet, release: ReleaseRef): { member: MemberEval; cause: Cause }[] {
  const stuck: { member: MemberEval; cause: Cause }[] = [];
  for (const m of set.members.values()) {
    if (m.status === 'stuck') stuck.push({ member: m, cause: causeOf(m, release, ctx.seen.get(m.id), ctx.nowMs) });
  }
  return stuck.sort((a, b) => (a.member.id < b.member.id ? -1 : 1));
}
