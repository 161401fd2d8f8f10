import { isDeferring, offlineSince, type ReconcileContext } from './context.js';
import { statusAt } from './engine/member-table.js';
import type { Undeclared } from './engine/seen-table.js';
import { targetOf } from './engine/target-table.js';
import { HOLDS, type Hold } from './holds.js';
import type { ApplianceStatus, TargetRef } from './plan.js';
import { normalizeVersion } from './versions.js';
import type { RolloutOutcome } from './rollout-pass.js';
import { memberReason, type Cause } from './stuck-reasons.js';
import { toIso, toIsoFrom } from './time.js';
import { budgetHoldText } from './budget-hold-text.js';
import { formatWindow } from './window.js';

/**
 * One entry per appliance, declared or seen, sorted by id: its single target (the newest release
 * among the rollouts that assigned it), its status in that rollout and the reason. Declared ones
 * without a target are `idle`, saying what holds a waiting rollout back; undeclared ones that check
 * in are `unknown` with no target.
 */
export function applianceStatuses(ctx: ReconcileContext, byRank: readonly Targeting[]): ApplianceStatus[] {
  const { ids } = ctx.index;
  // Most of a fleet runs what it is told, or waits for the same thing: reasons that do not depend
  // on the appliance are worded once per pass and shared.
  const shared: SharedReasons = { runs: [], waits: [], idle: new Map() };
  const previous = ctx.cache ? ctx.cache.previousStatuses(ctx.index) : null;
  // Each rollout's stuck members are sorted by position, so one cursor per rollout finds them.
  const stuckAt = new Int32Array(byRank.length);
  // Sized once: grown by pushes, a list this long leaves a trail of discarded copies in the old generation.
  const statuses = new Array<ApplianceStatus>(ids.length + ctx.undeclared.length);
  let s = 0;
  let u = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as string;
    while (u < ctx.undeclared.length && (ctx.undeclared[u] as Undeclared).id < id) statuses[s++] = unknownStatus(ctx.undeclared[u++] as Undeclared);
    const rank = ctx.members.rankOf[i] as number;
    const outcome = rank >= 0 ? byRank[rank] : undefined;
    if (outcome) {
      const status = statusAt(ctx.members, i);
      let reason: string;
      if (status === 'succeeded') reason = shared.runs[rank] ??= memberReason(ctx, i, outcome.release);
      else reason = memberReason(ctx, i, outcome.release, status === 'stuck' ? stuckCause(outcome, stuckAt, rank, i) : undefined);
      statuses[s++] = entry(previous, i, id, outcome.spec.release, outcome.spec.name, status, reason);
    } else if (ctx.targets.targetRow[i] !== -1) {
      statuses[s++] = keptTarget(ctx, previous, i, id);
    } else {
      statuses[s++] = entry(previous, i, id, null, null, 'idle', idleReason(ctx, i, byRank, shared));
    }
  }
  while (u < ctx.undeclared.length) statuses[s++] = unknownStatus(ctx.undeclared[u++] as Undeclared);
  return statuses;
}

/** What a rollout's outcome tells the appliance statuses, declared or removed, by rank. */
export type Targeting = Pick<RolloutOutcome, 'release' | 'stuck'> & { spec: Pick<RolloutOutcome['spec'], 'name' | 'release' | 'window'> };

interface SharedReasons {
  /** By rollout rank: the reason of its succeeded members. */
  runs: string[];
  /** By rollout rank and hold code: what its held-back appliances wait for. */
  waits: string[];
  /** By normalized version ('' for none): the reason of an idle appliance that nothing holds back. */
  idle: Map<string, string>;
}

/**
 * The entry of declared appliance `i`: the previous pass's own object when nothing in it changed.
 * Most of a fleet's entries stay the same from one pass to the next; sharing them leaves the new
 * plan's objects and reason strings to die young instead of accumulating between collections.
 */
function entry(
  previous: (ApplianceStatus | undefined)[] | null,
  i: number,
  id: string,
  target: string | null,
  rollout: string | null,
  status: ApplianceStatus['status'],
  reason: string,
): ApplianceStatus {
  const before = previous?.[i];
  if (before && before.reason === reason && before.status === status && before.target === target && before.rollout === rollout) return before;
  const made: ApplianceStatus = { id, target, rollout, status, reason };
  if (previous) previous[i] = made;
  return made;
}

// A target no rollout counts (its rollout now delivers another release and has not assigned that
// yet) still stands: targets move only by actions.
function keptTarget(ctx: ReconcileContext, previous: (ApplianceStatus | undefined)[] | null, i: number, id: string): ApplianceStatus {
  const target = targetOf(ctx.targets, ctx.ranked, i) as TargetRef;
  const version = ctx.index.releases.get(target.release)?.version;
  const runs = version !== undefined && ctx.seen.version[i] === (normalizeVersion(version) ?? version);
  const reason = `keeps ${target.release} from rollout ${target.rollout}, which now delivers another release, until it is assigned that`;
  return entry(previous, i, id, target.release, target.rollout, runs ? 'succeeded' : 'pending', reason);
}

function stuckCause(outcome: Targeting, cursors: Int32Array, rank: number, i: number): Cause | undefined {
  let k = cursors[rank] as number;
  while (k < outcome.stuck.length && (outcome.stuck[k] as Cause).index < i) k++;
  cursors[rank] = k;
  const cause = outcome.stuck[k];
  return cause && cause.index === i ? cause : undefined;
}

function unknownStatus(seen: Undeclared): ApplianceStatus {
  const reason = `checks in (last at ${toIso(seen.lastCheckinMs)}) but is not declared in the fleet repository`;
  return { id: seen.id, target: null, rollout: null, status: 'unknown', reason };
}

const HOLD_TEXT: Record<Hold, string> = {
  paused: 'the rollout is paused',
  failures: 'the rollout stopped after too many failures',
  window: 'its window is closed',
  maxConcurrent: 'maxConcurrent appliances are in flight',
  deferring: 'it defers updates',
  budget: 'a disruption budget is used up',
};

// Says what the appliance's state is, when it is not simply online, then what it waits for: the
// newest rollout that holds it back, if any, or else that nothing targets it.
function idleReason(ctx: ReconcileContext, i: number, byRank: readonly Targeting[], shared: SharedReasons): string {
  const heldBy = ctx.held.heldByRank[i] as number;
  const why = ctx.held.holdCode[i] as number;
  const wait =
    heldBy >= 0 && HOLDS[why] === 'budget'
      ? budgetWaitText(ctx, i, byRank[heldBy] as Targeting)
      : heldBy >= 0
        ? (shared.waits[heldBy * HOLDS.length + why] ??= waitText(byRank[heldBy] as Targeting, HOLDS[why] as Hold))
        : noTarget(ctx, ctx.seen.version[i] ?? null, shared);
  let state = '';
  const offline = offlineSince(ctx, i);
  if (ctx.seen.obs[i] === undefined) state = 'never checked in; ';
  else if (offline !== null) state = `offline since ${toIso(offline)} (last check-in ${toIsoFrom(ctx.seen.obs[i]?.lastCheckinAt, ctx.seen.lastCheckinMs[i] as number)}); `;
  if (isDeferring(ctx, i)) state += `deferring updates until ${toIsoFrom(ctx.seen.obs[i]?.deferUntil, ctx.seen.deferUntilMs[i] as number)}; `;
  return state ? state + wait : wait;
}

function waitText(outcome: Targeting, hold: Hold): string {
  const spec = outcome.spec;
  const why = hold === 'window' && spec.window ? `its window (${formatWindow(spec.window)}) is closed` : HOLD_TEXT[hold];
  return `waits for ${spec.release} (rollout ${spec.name}): ${why}`;
}

// Names the budget, the group and who is in flight, so it is worded per group rather than per rollout.
function budgetWaitText(ctx: ReconcileContext, i: number, outcome: Targeting): string {
  const why = budgetHoldText(ctx.budgets, outcome.spec.name, i, ctx.index.ids) ?? HOLD_TEXT.budget;
  return `waits for ${outcome.spec.release} (rollout ${outcome.spec.name}): ${why}`;
}

// Depends on the version alone, so one string per version serves every idle appliance running it.
function noTarget(ctx: ReconcileContext, version: string | null, shared: SharedReasons): string {
  const key = version ?? '';
  let text = shared.idle.get(key);
  if (text === undefined) {
    const running = version ? ctx.index.releaseByVersion.get(version) : undefined;
    text = running ? `up to date on ${running.name}; no rollout targets it` : 'no rollout targets it';
    shared.idle.set(key, text);
  }
  return text;
}
