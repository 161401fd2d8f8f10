import type { RolloutStageSpec, RolloutWindowSpec } from '../../desired/types.js';
import { stageSize } from '../cohorts.js';
import { nextWindowOpening } from './next-opening.js';

/** What each member of the cohort order is when the forecast begins, by cohort index. */
export const OPEN = 0;
export const IN_FLIGHT = 1;
export const FINAL = 2;
/** Held by a newer rollout: never this rollout's. */
export const TAKEN = 3;

/** One budget as the simulation counts it: the group of each cohort index, and what other rollouts hold. */
export interface SimBudget {
  max: number;
  groupOf: Int32Array;
  /** In flight per group in other rollouts, all assumed to finish at `othersDoneMs`. */
  others: Int32Array;
}

export interface SimulationInput {
  nowMs: number;
  updateMs: number;
  stages: readonly RolloutStageSpec[];
  /** The 1-based current stage, when it started, and when it completed (null while it runs). */
  stage: number;
  stageStartMs: number;
  completedAtMs: number | null;
  /** By cohort index: OPEN, IN_FLIGHT, FINAL or TAKEN. */
  kind: Uint8Array;
  /** By cohort index: FINAL — when it finished; IN_FLIGHT — when it will; OPEN — not before (its deferUntil), or -Infinity. */
  timeMs: Float64Array;
  window: RolloutWindowSpec | null;
  maxConcurrent: number | null;
  budgets: readonly SimBudget[];
  othersDoneMs: number;
}

/** A stage's forecast in ms; null when it never starts or completes under the assumptions (a budget of 0). */
export interface SimStage {
  stage: number;
  startsAtMs: number | null;
  completesAtMs: number | null;
}

/**
 * Plays the rollout forward from its current stage, every assignment taking `updateMs` to succeed:
 * each stage's new members are assigned in cohort order at the first instant they may be — the
 * stage's start (its predecessor's completion plus soak), the window open, fewer than maxConcurrent
 * in flight, room in every budget's group, their own deferral over — and the stage completes when
 * its last member succeeds. Times never go back, so stages come out in order.
 */
export function simulateStages(input: SimulationInput): SimStage[] {
  const sim = new Simulation(input);
  const out: SimStage[] = [];
  let prevSize = 0;
  let prevDone = input.stageStartMs;
  for (let s = input.stage; s <= input.stages.length; s++) {
    const size = stageSize(input.stages[s - 1]?.percent ?? 100, input.kind.length);
    if (s === input.stage && input.completedAtMs !== null) {
      out.push({ stage: s, startsAtMs: input.stageStartMs, completesAtMs: input.completedAtMs });
    } else {
      const base = s === input.stage ? input.stageStartMs : prevDone + (input.stages[s - 2]?.soakMs ?? 0);
      const result = sim.runStage(s === input.stage ? 0 : prevSize, size, base, s === input.stage);
      out.push({ stage: s, ...result });
      if (result.completesAtMs === null) {
        for (let rest = s + 1; rest <= input.stages.length; rest++) out.push({ stage: rest, startsAtMs: null, completesAtMs: null });
        return out;
      }
    }
    prevDone = out[out.length - 1]?.completesAtMs as number;
    prevSize = size;
  }
  return out;
}

class Simulation {
  private t: number;
  private inFlight = 0;
  /** Completions of members in flight at the start, by time; then those the simulation assigns, in order made. */
  private readonly initial: { at: number; k: number }[] = [];
  private initialHead = 0;
  private readonly made: { at: number; k: number }[] = [];
  private madeHead = 0;
  private readonly counts: Int32Array[];
  private othersReleased = false;

  constructor(private readonly input: SimulationInput) {
    this.t = input.nowMs;
    this.counts = input.budgets.map((b) => Int32Array.from(b.others));
    for (let k = 0; k < input.kind.length; k++) {
      if (input.kind[k] !== IN_FLIGHT) continue;
      this.initial.push({ at: input.timeMs[k] as number, k });
      this.enter(k);
    }
    this.initial.sort((a, b) => a.at - b.at);
  }

  /** Assigns the open members of cohort indexes [from, to) from `baseMs` on; returns when the stage starts and completes. */
  runStage(from: number, to: number, baseMs: number, current: boolean): Omit<SimStage, 'stage'> {
    const { input } = this;
    let pending: number[] = [];
    let done = baseMs;
    let assignedBefore = false;
    for (let k = 0; k < to; k++) {
      const kind = input.kind[k];
      if (kind === FINAL || kind === IN_FLIGHT) {
        done = Math.max(done, input.timeMs[k] as number);
        if (k >= from) assignedBefore = true;
      } else if (kind === OPEN && k >= from) pending.push(k);
    }
    // Mark them so a later stage does not take them again.
    for (const k of pending) input.kind[k] = TAKEN;
    this.t = Math.max(this.t, baseMs);
    let startsAt: number | null = current && assignedBefore ? baseMs : null;
    while (pending.length) {
      if (!this.openWindow()) return { startsAtMs: startsAt, completesAtMs: null };
      this.release();
      const left: number[] = [];
      let nextDefer = Infinity;
      for (let p = 0; p < pending.length; p++) {
        const k = pending[p] as number;
        if (input.maxConcurrent !== null && this.inFlight >= input.maxConcurrent) {
          for (; p < pending.length; p++) left.push(pending[p] as number);
          break;
        }
        const notBefore = input.timeMs[k] as number;
        if (notBefore > this.t) {
          nextDefer = Math.min(nextDefer, notBefore);
          left.push(k);
        } else if (this.blocked(k)) left.push(k);
        else {
          startsAt ??= this.t;
          this.made.push({ at: this.t + input.updateMs, k });
          this.enter(k);
          done = Math.max(done, this.t + input.updateMs);
        }
      }
      pending = left;
      if (!pending.length) break;
      const next = Math.min(this.nextCompletion(), nextDefer, this.othersReleased ? Infinity : input.othersDoneMs);
      if (next === Infinity) return { startsAtMs: startsAt, completesAtMs: null };
      this.t = Math.max(this.t, next);
    }
    // A stage with nothing left to assign starts at its own start (the current one) or when its
    // window next opens (a later one: its first assignment could be made then).
    if (startsAt === null) startsAt = current ? baseMs : input.window ? nextWindowOpening(input.window, this.t) : this.t;
    if (startsAt === null) return { startsAtMs: null, completesAtMs: null };
    return { startsAtMs: startsAt, completesAtMs: Math.max(done, startsAt) };
  }

  // Moves the clock to the window's next opening; false when it never opens.
  private openWindow(): boolean {
    if (!this.input.window) return true;
    const opening = nextWindowOpening(this.input.window, this.t);
    if (opening === null) return false;
    this.t = opening;
    return true;
  }

  private release(): void {
    const { input } = this;
    if (!this.othersReleased && this.t >= input.othersDoneMs) {
      this.othersReleased = true;
      input.budgets.forEach((b, j) => b.others.forEach((n, g) => ((this.counts[j] as Int32Array)[g]! -= n)));
    }
    for (;;) {
      const a = this.initial[this.initialHead];
      const b = this.made[this.madeHead];
      const first = a && (!b || a.at <= b.at) ? a : b;
      if (!first || first.at > this.t) return;
      if (first === a) this.initialHead++;
      else this.madeHead++;
      this.inFlight--;
      input.budgets.forEach((budget, j) => ((this.counts[j] as Int32Array)[budget.groupOf[first.k] as number]! -= 1));
    }
  }

  private nextCompletion(): number {
    return Math.min(this.initial[this.initialHead]?.at ?? Infinity, this.made[this.madeHead]?.at ?? Infinity);
  }

  private blocked(k: number): boolean {
    return this.input.budgets.some((b, j) => ((this.counts[j] as Int32Array)[b.groupOf[k] as number] as number) + 1 > b.max);
  }

  private enter(k: number): void {
    this.inFlight++;
    this.input.budgets.forEach((b, j) => ((this.counts[j] as Int32Array)[b.groupOf[k] as number]! += 1));
  }
}
