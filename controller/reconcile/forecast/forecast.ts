import { formatDuration } from '../../desired/quantities.js';
import { isFinalAt, isStatus } from '../engine/member-table.js';
import type { ReconcileContext } from '../context.js';
import { budgetsOf } from '../engine/budget-table.js';
import type { RolloutOutcome } from '../rollout-pass.js';
import { toIso } from '../time.js';
import { formatWindow } from '../window.js';
import { FINAL, IN_FLIGHT, OPEN, simulateStages, TAKEN, type SimBudget, type SimulationInput } from './simulate.js';
import type { UpdateTime } from './update-time.js';

/** When a stage would start and complete; null when it never would under the assumptions. */
export interface StageForecast {
  stage: number;
  startsAt: string | null;
  completesAt: string | null;
}

/** A rollout's forecast: its remaining stages from the current one, when it completes, and what that assumes. */
export interface RolloutForecast {
  stages: StageForecast[];
  completesAt: string | null;
  assumptions: string[];
}

/**
 * The forecast of a planned rollout, read from the pass's member table (so called before the pass
 * ends): every stage from the current one, each starting at the first instant one of its
 * assignments can be made and completing when its last member would succeed, if every assignment
 * took `update` — honouring soak, the window in its time zone, maxConcurrent, disruption budgets
 * and known deferrals. A rollout that is paused, stopped, superseded or removed gets no stages and
 * says why; a complete one says when it completed.
 */
export function forecastRollout(ctx: ReconcileContext, o: RolloutOutcome, update: UpdateTime): RolloutForecast {
  const assumptions = [updateAssumption(update)];
  const stopped = stoppedText(o);
  if (stopped) return { stages: [], completesAt: null, assumptions: [...assumptions, stopped] };
  const { progress, spec } = o;
  if (o.phase === 'Complete') return { stages: [], completesAt: progress.completedAtMs === null ? null : toIso(progress.completedAtMs), assumptions };
  const input = simulationInput(ctx, o, update.ms, assumptions);
  const stages = simulateStages(input).map((s) => ({
    stage: s.stage,
    startsAt: s.startsAtMs === null ? null : toIso(s.startsAtMs),
    completesAt: s.completesAtMs === null ? null : toIso(s.completesAtMs),
  }));
  if (spec.window) assumptions.push(`assignments wait for the window ${formatWindow(spec.window)}`);
  if (stages.some((s) => s.completesAt === null)) assumptions.push('a disruption budget that never has room holds the rest back for good');
  assumptions.push('no appliance fails, and the eligible set stays as it is today');
  return { stages, completesAt: stages[stages.length - 1]?.completesAt ?? null, assumptions };
}

function simulationInput(ctx: ReconcileContext, o: RolloutOutcome, updateMs: number, assumptions: string[]): SimulationInput {
  const { members, seen, nowMs } = ctx;
  const n = o.order.length;
  const kind = new Uint8Array(n);
  const timeMs = new Float64Array(n);
  let stuck = 0;
  let deferring = 0;
  for (let k = 0; k < n; k++) {
    const i = o.order[k] as number;
    const by = members.rankOf[i] as number;
    const deferUntil = seen.deferUntilMs[i] as number;
    if (by === o.rank) {
      if (isFinalAt(members, i)) {
        kind[k] = FINAL;
        timeMs[k] = members.finalAtMs[i] as number;
        continue;
      }
      kind[k] = IN_FLIGHT;
      const isStuck = isStatus(members, i, 'stuck');
      if (isStuck) stuck++;
      // A deferring member starts once its deferral ends; a stuck one is given one update time from now.
      const from = deferUntil > nowMs ? deferUntil : isStuck ? nowMs : (members.assignedAtMs[i] as number);
      timeMs[k] = Math.max(nowMs, from + updateMs);
    } else if (by >= 0 && by < o.rank) {
      kind[k] = TAKEN;
    } else {
      kind[k] = OPEN;
      if (deferUntil > nowMs) deferring++;
      timeMs[k] = deferUntil > nowMs ? deferUntil : -Infinity;
    }
  }
  if (stuck) assumptions.push(`${stuck} stuck ${stuck === 1 ? 'appliance finishes' : 'appliances finish'} one update time from now`);
  if (deferring) assumptions.push(`${deferring} ${deferring === 1 ? 'appliance is' : 'appliances are'} assigned once ${deferring === 1 ? 'its' : 'their'} deferral ends`);
  const budgets = simBudgets(ctx, o, kind);
  if (budgets.length) assumptions.push('appliances in flight in other rollouts finish one update time from now');
  return {
    nowMs,
    updateMs,
    stages: o.spec.stages,
    stage: o.progress.stage,
    stageStartMs: o.progress.stageStartMs,
    completedAtMs: o.progress.completedAtMs,
    kind,
    timeMs,
    window: o.spec.window,
    maxConcurrent: o.spec.maxConcurrent,
    budgets,
    othersDoneMs: nowMs + updateMs,
  };
}

// The budgets this rollout keeps to, grouped by cohort index, with what other rollouts hold in flight.
function simBudgets(ctx: ReconcileContext, o: RolloutOutcome, kind: Uint8Array): SimBudget[] {
  const all = ctx.budgets;
  if (!all) return [];
  return budgetsOf(all, o.spec.name).map((b) => {
    const groupOf = new Int32Array(kind.length);
    for (let k = 0; k < kind.length; k++) groupOf[k] = b.groupOf[o.order[k] as number] as number;
    const others = new Int32Array(b.names.length);
    for (let i = 0; i < all.inFlight.length; i++) if (all.inFlight[i] && ctx.members.rankOf[i] !== o.rank) others[b.groupOf[i] as number]! += 1;
    return { max: b.spec.maxUnavailable, groupOf, others };
  });
}

function updateAssumption(update: UpdateTime): string {
  const d = formatDuration(update.ms);
  if (update.basis === 'assumed') return `each update takes ${d} (--assume-update)`;
  if (update.basis === 'observed') return `each update takes ${d}, the median of ${update.samples} observed assignment-to-success ${update.samples === 1 ? 'time' : 'times'}`;
  return `each update takes ${d} (no success observed yet)`;
}

function stoppedText(o: RolloutOutcome): string | null {
  switch (o.phase) {
    case 'Paused':
      return o.decision.kind === 'spec-paused' ? 'paused by its spec: nothing more is assigned until it resumes' : 'paused after failures: nothing more is assigned until a commit changes it';
    case 'Aborted':
      return 'aborted: nothing more is assigned until a commit changes it';
    case 'Superseded':
      return 'superseded: newer rollouts hold every member';
    default:
      return null;
  }
}
