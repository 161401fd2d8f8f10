import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyPlanToState } from '../../controller/reconcile/apply.js';
import { ReconcileCache } from '../../controller/reconcile/reconcile.js';
import { computeCohortOrder, stageSize } from '../../controller/reconcile/cohorts.js';
import type { Plan } from '../../controller/reconcile/plan.js';
import { reconcile } from '../../controller/reconcile/reconcile.js';
import { worldArb, type World } from './arbitraries.js';

const RUNS = { numRuns: 300 };
const plan = (w: World, cache: ReconcileCache | null = new ReconcileCache()) => reconcile(w.desired, w.observed, w.now, { cache });

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe('reconcile invariants', () => {
  it('no appliance ever has two targets: one entry per id, counted in exactly one rollout', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const p = plan(w);
        const ids = p.appliances.map((a) => a.id);
        expect(new Set(ids).size).toBe(ids.length);
        const targeted = p.appliances.filter((a) => a.target !== null);
        const counted = p.rollouts.reduce((n, r) => n + r.counts.targeted, 0);
        expect(counted).toBe(targeted.length);
        for (const a of targeted) {
          const r = p.rollouts.find((x) => x.name === a.rollout);
          expect(r?.release).toBe(a.target);
        }
      }),
      RUNS,
    );
  });

  it('never skips a stage: AdvanceStage actions step by one from the observed stage', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const p = plan(w);
        for (const r of w.desired.rollouts) {
          const steps = p.actions.filter((a) => a.type === 'AdvanceStage' && a.rollout === r.name);
          let stage = w.observed.rollouts.find((o) => o.name === r.name)?.stage ?? 1;
          for (const step of steps) {
            if (step.type !== 'AdvanceStage') continue;
            expect(step.from).toBe(stage);
            expect(step.to).toBe(stage + 1);
            stage = step.to;
          }
          expect(p.rollouts.find((x) => x.name === r.name)?.stage).toBe(stage);
        }
      }),
      RUNS,
    );
  });

  it('cohort of stage i is within the cohort of stage i+1, and assignments stay within the current cohort', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const p = plan(w);
        for (const r of w.desired.rollouts) {
          const eligible = w.desired.appliances.filter((a) => !r.selector || a.labels.ring === 'canary').map((a) => a.name);
          const order = computeCohortOrder(r.name, eligible);
          const sizes = r.stages.map((s) => stageSize(s.percent, order.length));
          for (let i = 1; i < sizes.length; i++) expect(sizes[i]).toBeGreaterThanOrEqual(sizes[i - 1] as number);
          const stage = p.rollouts.find((x) => x.name === r.name)?.stage ?? 1;
          const cohort = new Set(order.slice(0, sizes[stage - 1]));
          for (const a of p.actions) if (a.type === 'AssignRelease' && a.rollout === r.name) expect(cohort.has(a.appliance)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('gives the same plan whatever the order of its inputs', () => {
    fc.assert(
      fc.property(worldArb, fc.integer({ min: 1, max: 1_000_000 }), (w, seed) => {
        const d = w.desired;
        const shuffledWorld: World = {
          now: w.now,
          desired: { ...d, appliances: shuffled(d.appliances, seed), rollouts: shuffled(d.rollouts, seed + 1), releases: shuffled(d.releases, seed + 2) },
          observed: {
            ...w.observed,
            appliances: shuffled(w.observed.appliances, seed + 3),
            rollouts: shuffled(w.observed.rollouts, seed + 4).map((r) => ({ ...r, assignments: shuffled(r.assignments, seed + 5) })),
          },
        };
        expect(plan(shuffledWorld)).toEqual(plan(w));
      }),
      RUNS,
    );
  });

  it('yields no action when reconciling its own applied result at the same now', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const first = plan(w);
        const second = reconcile(w.desired, applyPlanToState(w.observed, first), w.now, { cache: new ReconcileCache() });
        expect(second.actions).toEqual([]);
        expect(second.appliances.map((a) => [a.id, a.target, a.status])).toEqual(first.appliances.map((a) => [a.id, a.target, a.status]));
        expect(second.rollouts.map((r) => [r.name, r.phase, r.stage, r.counts])).toEqual(first.rollouts.map((r) => [r.name, r.phase, r.stage, r.counts]));
      }),
      RUNS,
    );
  });

  it('never exceeds maxConcurrent with its own assignments', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const p = plan(w);
        for (const r of w.desired.rollouts) {
          if (r.maxConcurrent === null) continue;
          // An assignment to an appliance that already runs the release adds nothing in flight.
          const assignedInFlight = p.actions.some(
            (a) => a.type === 'AssignRelease' && a.rollout === r.name && p.appliances.find((x) => x.id === a.appliance)?.status !== 'succeeded',
          );
          if (!assignedInFlight) continue;
          const c = p.rollouts.find((x) => x.name === r.name)?.counts;
          expect((c?.pending ?? 0) + (c?.updating ?? 0) + (c?.stuck ?? 0)).toBeLessThanOrEqual(r.maxConcurrent);
        }
      }),
      RUNS,
    );
  });

  it('gives the same plan with a warm cache, a cold one and none', () => {
    fc.assert(
      fc.property(worldArb, worldArb, (w, earlier) => {
        const warm = new ReconcileCache();
        const renamed: World = { ...earlier, desired: { ...earlier.desired, rollouts: earlier.desired.rollouts } };
        plan(renamed, warm);
        plan(w, warm);
        // Compared as JSON: key for key and in order, as `plan --format json` prints them.
        const results = [plan(w, warm), plan(w, new ReconcileCache()), plan(w, null)].map((p: Plan) => JSON.stringify(p));
        expect(results[0]).toBe(results[2]);
        expect(results[1]).toBe(results[2]);
      }),
      RUNS,
    );
  });
});

describe('reconcile over time', () => {
  type Answer = 'succeed' | 'fail' | 'progress' | 'ignore' | 'silent';
  const ANSWERS: Answer[] = ['succeed', 'succeed', 'succeed', 'fail', 'progress', 'ignore', 'silent'];

  // Each agent answers its target the way `pick` says; appliances without a target just check in.
  function agentsAnswer(w: World, p: Plan, nowMs: number, pick: (i: number) => Answer): World['observed'] {
    const at = new Date(nowMs).toISOString();
    const targets = new Map(p.appliances.map((a) => [a.id, a.target]));
    const versions = new Map(w.desired.releases.map((r) => [r.name, r.version]));
    const byId = new Map(w.observed.appliances.map((o) => [o.id, o]));
    w.desired.appliances.forEach((a, i) => {
      const answer = pick(i);
      if (answer === 'silent') return;
      const before = byId.get(a.name);
      const base = before ?? { id: a.name, lastCheckinAt: at, agentVersion: '1.0.0', imageVersion: null, update: null, retention: null };
      const target = targets.get(a.name);
      const next = { ...base, lastCheckinAt: at };
      if (target && answer !== 'ignore') {
        const attempt = (before?.update?.release === target ? before.update.attempt : 0) + 1;
        const phase = answer === 'succeed' ? 'succeeded' : answer === 'fail' ? 'failed' : 'downloading';
        next.update = { release: target, phase, since: at, attempt, error: phase === 'failed' ? 'boom' : null };
        if (answer === 'succeed') next.agentVersion = versions.get(target) ?? null;
      }
      byId.set(a.name, next);
    });
    return { ...w.observed, appliances: [...byId.values()] };
  }

  it('keeps stages in order, plans idempotently and agrees with a cold cache at every pass', () => {
    fc.assert(
      fc.property(worldArb, fc.array(fc.integer({ min: 1, max: 720 }), { minLength: 3, maxLength: 8 }), fc.integer(), (w0, steps, seed) => {
        const cache = new ReconcileCache();
        let w = w0;
        let rng = Math.abs(seed) + 1;
        const pick = () => {
          rng = (rng * 48271) % 2147483647;
          return ANSWERS[rng % ANSWERS.length] as Answer;
        };
        for (const minutes of steps) {
          const p = reconcile(w.desired, w.observed, w.now, { cache });
          expect(JSON.stringify(p)).toBe(JSON.stringify(reconcile(w.desired, w.observed, w.now, { cache: null })));
          for (const r of p.rollouts) {
            const before = w.observed.rollouts.find((o) => o.name === r.name)?.stage ?? 1;
            expect(r.stage).toBeGreaterThanOrEqual(Math.min(before, r.stages));
          }
          const applied = applyPlanToState(w.observed, p);
          expect(reconcile(w.desired, applied, w.now, { cache }).actions).toEqual([]);
          const nowMs = w.now.getTime() + minutes * 60_000;
          w = { ...w, now: new Date(nowMs), observed: agentsAnswer({ ...w, observed: applied }, p, nowMs, pick) };
        }
      }),
      { numRuns: 150 },
    );
  });
});
