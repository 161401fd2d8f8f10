import fc from 'fast-check';
import type { Weekday } from '../../controller/desired/schema/rollout.js';
import type { DesiredState } from '../../controller/desired/types.js';
import type { ApplianceObservation, RolloutObservation, StateDocument } from '../../controller/observed/state-schema.js';
import { ROLLOUT_PHASES, UPDATE_PHASES } from '../../controller/observed/state-schema.js';
import { appliance, desired, release, rollout, state } from './builders.js';

/** Small random fleets for the property tests: desired state, observed state and `now`. */

export const BASE_MS = Date.parse('2026-01-31T12:00:00Z');
const iso = (minutesBefore: number) => new Date(BASE_MS - minutesBefore * 60_000).toISOString();
const RELEASES = ['v1.0.1', 'v1.0.2', 'v1.0.3', 'v1.0.4'];
const VERSIONS = ['1.0.0', '1.0.1', '1.0.2', '1.0.3', '1.0.4', '0.9.9'];
const STAGE_SETS = [[100], [50, 100], [10, 50, 100], [1, 2, 100]];

const rolloutArb = fc.record({
  release: fc.constantFrom(...RELEASES),
  stages: fc.constantFrom(...STAGE_SETS),
  soak: fc.constantFrom(undefined, '30m', '2h'),
  deadline: fc.constantFrom('1h', '2h', '1d'),
  maxConcurrent: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
  maxFailures: fc.integer({ min: 0, max: 2 }),
  action: fc.constantFrom('pause' as const, 'abort' as const),
  canaryOnly: fc.boolean(),
  paused: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
  rollback: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  /** Its file left the repository: only its observed record remains. */
  removed: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
  window: fc.constantFrom(null, null, null, { days: ['mon', 'sat'] as Weekday[], start: '10:00', end: '14:00', timeZone: 'UTC' }),
});

const observationArb = (id: string) =>
  fc.record({
    lastCheckin: fc.integer({ min: 0, max: 4000 }),
    version: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...VERSIONS.slice(1, 5)) }, { weight: 1, arbitrary: fc.constantFrom('1.0.0', '0.9.9', null) }),
    update: fc.option(
      fc.record({ release: fc.constantFrom(...RELEASES), phase: fc.oneof(fc.constantFrom(...UPDATE_PHASES), fc.constantFrom('succeeded' as const, 'failed' as const)), since: fc.integer({ min: 0, max: 4000 }), attempt: fc.integer({ min: 1, max: 3 }) }),
    ),
    deferUntil: fc.option(fc.integer({ min: -600, max: 600 })),
  }).map((o): ApplianceObservation => ({
    id,
    lastCheckinAt: iso(o.lastCheckin),
    agentVersion: o.version,
    imageVersion: null,
    update: o.update ? { release: o.update.release, phase: o.update.phase, since: iso(o.update.since), attempt: o.update.attempt, error: o.update.phase === 'failed' ? 'boom' : null } : null,
    ...(o.deferUntil !== null ? { deferUntil: iso(-o.deferUntil) } : {}),
    retention: null,
  }));

export interface World {
  desired: DesiredState;
  observed: StateDocument;
  now: Date;
}

/** A random world: up to 12 appliances, 1–3 rollouts (some rollbacks, some removed: only their record is left), observations and rollout records to match. */
export const worldArb: fc.Arbitrary<World> = fc
  .record({
    count: fc.integer({ min: 0, max: 12 }),
    canary: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
    rollouts: fc.array(rolloutArb, { minLength: 1, maxLength: 3 }),
    undeclared: fc.boolean(),
  })
  .chain((shape) => {
    const ids = Array.from({ length: shape.count }, (_, i) => `a-${i}`);
    const seenIds = shape.undeclared ? [...ids, 'stranger'] : ids;
    const names = shape.rollouts.map((_, i) => `r-${i}`);
    return fc.record({
      shape: fc.constant(shape),
      observations: fc.tuple(...seenIds.map((id) => fc.option(observationArb(id)))),
      records: fc.tuple(
        ...names.map((name, i) =>
          fc.option(
            fc.record({
              stage: fc.integer({ min: 1, max: 3 }),
              started: fc.integer({ min: 0, max: 3000 }),
              phase: fc.constantFrom(...ROLLOUT_PHASES),
              assigned: fc.subarray(ids),
              at: fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 12, maxLength: 12 }),
              latch: fc.option(fc.record({ phase: fc.constantFrom('Paused' as const, 'Aborted' as const), same: fc.boolean() })),
            }).map((r): RolloutObservation => ({
              name,
              stage: r.stage,
              stageStartedAt: iso(r.started),
              phase: r.phase,
              assignments: r.assigned.map((id, j) => ({ appliance: id, release: shape.rollouts[i]?.release ?? 'v1.0.1', at: iso(r.at[j] ?? 0) })),
              ...(r.latch ? { latch: { phase: r.latch.phase, specHash: r.latch.same ? 'SAME' : 'old', at: iso(100) } } : {}),
            })),
          ),
        ),
      ),
      nowOffset: fc.integer({ min: 0, max: 600 }),
    });
  })
  .map(({ shape, observations, records, nowOffset }) => {
    const rollouts = shape.rollouts.map((r, i) =>
      rollout(`r-${i}`, {
        release: r.release,
        stages: r.stages.map((percent) => ({ percent, ...(r.soak ? { soak: r.soak } : {}) })),
        progressDeadline: r.deadline,
        ...(r.maxConcurrent !== undefined ? { maxConcurrent: r.maxConcurrent } : {}),
        maxFailures: r.maxFailures,
        action: r.action,
        ...(r.canaryOnly ? { selector: { matchLabels: { ring: 'canary' } } } : {}),
        paused: r.paused,
        rollback: r.rollback,
        ...(r.window ? { window: r.window } : {}),
      }),
    );
    const declared = rollouts.filter((_, i) => !shape.rollouts[i]?.removed);
    const d = desired({
      appliances: Array.from({ length: shape.count }, (_, i) => appliance(`a-${i}`, { ring: shape.canary[i] ? 'canary' : 'broad' })),
      releases: RELEASES.map((name) => release(name)),
      rollouts: declared,
    });
    const observedRollouts = records.filter((r): r is RolloutObservation => r !== null).map((r) => {
      const spec = declared.find((x) => x.name === r.name);
      const stage = Math.min(r.stage, spec?.stages.length ?? 1);
      return r.latch?.specHash === 'SAME' && spec ? { ...r, stage, latch: { ...r.latch, specHash: spec.specHash } } : { ...r, stage };
    });
    const obs = observations.filter((o): o is ApplianceObservation => o !== null);
    return { desired: d, observed: state({ appliances: obs, rollouts: observedRollouts }), now: new Date(BASE_MS + nowOffset * 60_000) };
  });
