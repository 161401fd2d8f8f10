import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StateDocument } from '../../controller/observed/state-schema.js';
import { applyPlanToState } from '../../controller/reconcile/apply.js';
import { ReconcileCache } from '../../controller/reconcile/reconcile.js';
import { compareVersions } from '../../controller/reconcile/versions.js';
import type { Plan } from '../../controller/reconcile/plan.js';
import { rankRollouts } from '../../controller/reconcile/rank.js';
import { reconcile } from '../../controller/reconcile/reconcile.js';
import { worldArb, type World } from './arbitraries.js';

const RUNS = { numRuns: 300 };
const plan = (w: World) => reconcile(w.desired, w.observed, w.now, { cache: new ReconcileCache() });

/**
 * Each declared appliance's recorded target in a State document, as the rules define it: its
 * assignment with the latest `at`, ties going to the higher-ranked rollout.
 */
function recordedTargets(w: World, doc: StateDocument): Map<string, string | null> {
  const observed = new Map(doc.rollouts.map((r) => [r.name, r]));
  const rank = new Map(rankRollouts(w.desired.rollouts, new Map(w.desired.releases.map((r) => [r.name, r])), observed).map((r, k) => [r.name, k]));
  const best = new Map<string, { atMs: number; rank: number; release: string }>();
  for (const r of doc.rollouts) {
    const k = rank.get(r.name);
    if (k === undefined) continue;
    for (const a of r.assignments) {
      const atMs = Date.parse(a.at);
      const now = best.get(a.appliance);
      if (!now || atMs > now.atMs || (atMs === now.atMs && k < now.rank)) best.set(a.appliance, { atMs, rank: k, release: a.release });
    }
  }
  return new Map(w.desired.appliances.map((a) => [a.name, best.get(a.name)?.release ?? null]));
}

const moved = (p: Plan) => new Set(p.actions.flatMap((a) => (a.type === 'AssignRelease' || a.type === 'WithdrawRelease' ? [a.appliance] : [])));

describe('targets move only by actions', () => {
  it('no plan ever changes a target without an action: every appliance whose target differs from its recorded one is assigned or withdrawn', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const p = plan(w);
        const before = recordedTargets(w, w.observed);
        const touched = moved(p);
        for (const a of p.appliances) {
          if (!before.has(a.id)) continue;
          if (a.target !== before.get(a.id)) expect(touched.has(a.id), `${a.id}: ${before.get(a.id)} → ${a.target}`).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('a plan’s target for each appliance is the target recorded once its actions are applied', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const p = plan(w);
        const after = recordedTargets(w, applyPlanToState(w.observed, p));
        for (const a of p.appliances) if (after.has(a.id)) expect(a.target, a.id).toBe(after.get(a.id));
      }),
      RUNS,
    );
  });

  it('a rollout that is not a rollback never assigns an appliance that reports a newer version than its release', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const p = plan(w);
        const versions = new Map(w.observed.appliances.map((a) => [a.id, a.agentVersion]));
        for (const a of p.actions) {
          if (a.type !== 'AssignRelease') continue;
          const spec = w.desired.rollouts.find((r) => r.name === a.rollout);
          const release = w.desired.releases.find((r) => r.name === a.release);
          const running = versions.get(a.appliance);
          if (spec?.rollback || !release || !running) continue;
          expect(compareVersions(running, release.version), `${a.appliance} runs ${running}, ${a.rollout} assigns ${release.version}`).toBeLessThanOrEqual(0);
        }
      }),
      RUNS,
    );
  });

  it('applying a plan and re-planning at the same now gives no action, with removed rollouts and rollbacks in the world', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const second = reconcile(w.desired, applyPlanToState(w.observed, plan(w)), w.now, { cache: new ReconcileCache() });
        expect(second.actions).toEqual([]);
      }),
      RUNS,
    );
  });
});
