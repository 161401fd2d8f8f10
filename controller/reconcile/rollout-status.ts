import { holdCounts } from './engine/member-set.js';
import { STATUSES, type MemberTable } from './engine/member-table.js';
import { rolloutConditions } from './conditions.js';
import type { ReconcileContext } from './context.js';
import { pendingReason, rolloutMessage, summarizeFailed, summarizeStuck, type MessageInput } from './messages.js';
import { causeShort } from './stuck-reasons.js';
import type { ApplianceUpdateStatus, RolloutStatus, StatusCounts } from './plan.js';
import type { RolloutOutcome } from './rollout-pass.js';
import { toIso, toMs } from './time.js';
import { formatWindow } from './window.js';

type Decided = Omit<RolloutOutcome, 'actions' | 'status'>;

/**
 * The rollout's status as the plan reports it: counts, one-line message, conditions, revision.
 * Called while the rollout is planned (its member list is valid only then).
 */
export function rolloutStatus(ctx: ReconcileContext, o: Decided): RolloutStatus {
  const counts = countStatuses(ctx.members, o);
  const { stage, stageStartMs } = o.progress;
  const stageSpec = o.spec.stages[stage - 1];
  const input: MessageInput = {
    phase: o.phase,
    decision: o.decision,
    stage,
    stages: o.spec.stages.length,
    percent: stageSpec?.percent ?? 100,
    counts,
    maxFailures: o.spec.failurePolicy.maxFailures,
    stuck: summarizeStuck(o.stuck, (cause) => `${ctx.index.ids[cause.index] as string} ${causeShort(ctx, cause)}`),
    failed: summarizeFailed(o.failed, (f) => ({ id: ctx.index.ids[f.index] as string, error: ctx.seen.obs[f.index]?.update?.error ?? 'no error reported' })),
    holds: holdCounts(o.set),
    window: o.spec.window ? formatWindow(o.spec.window) : null,
    nextStageAtMs: o.progress.completedAtMs !== null && stage < o.spec.stages.length ? o.progress.completedAtMs + (stageSpec?.soakMs ?? 0) : null,
    eligible: o.order.length,
    supersededBy: o.phase === 'Superseded' ? claimers(ctx, o.order) : [],
    withdrawn: o.withdrawn.length,
  };
  const message = rolloutMessage(input);
  const observedStart = o.observed?.stageStartedAt;
  return {
    name: o.spec.name,
    release: o.spec.release,
    version: ctx.index.releases.get(o.spec.release)?.version ?? o.release.version,
    rollback: o.spec.rollback,
    phase: o.phase,
    stage,
    stages: o.spec.stages.length,
    stageStartedAt: observedStart !== undefined && toMs(observedStart) === stageStartMs ? observedStart : toIso(stageStartMs),
    counts,
    conditions: rolloutConditions({
      phase: o.phase,
      decision: o.decision,
      pendingReason: pendingReason(input),
      message,
      observed: o.observed?.conditions,
      nowIso: ctx.nowIso,
    }),
    message,
    revision: ctx.revision,
  };
}

function countStatuses(table: MemberTable, o: Decided): StatusCounts {
  const counts: StatusCounts = { targeted: 0, pending: 0, updating: 0, succeeded: 0, failed: 0, stuck: 0 };
  const { list, count } = o.set;
  const byCode = new Int32Array(STATUSES.length);
  for (let k = 0; k < count; k++) {
    const code = table.status[list[k] as number] as number;
    byCode[code] = (byCode[code] as number) + 1;
  }
  counts.targeted = count;
  STATUSES.forEach((status, code) => (counts[status as ApplianceUpdateStatus] = byCode[code] as number));
  return counts;
}

function claimers(ctx: ReconcileContext, order: Int32Array): string[] {
  const names = new Set<string>();
  for (const i of order) {
    const rank = ctx.members.rankOf[i] as number;
    const name = rank >= 0 ? ctx.ranked[rank]?.name : undefined;
    if (name) names.add(name);
  }
  return [...names].sort();
}
