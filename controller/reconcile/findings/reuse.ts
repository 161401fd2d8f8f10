import type { FlatTexts } from '../engine/flat-texts.js';
import type { Finding } from '../plan.js';

/**
 * The previous pass's findings of one kind, by appliance position, so that an unchanged finding is
 * handed out again instead of a new equal one. A finding about an appliance usually stays the same
 * for many passes (offline since the same time, a prune overdue since the same time); when a whole
 * fleet is offline that is 100,000 findings a pass.
 *
 * A finding is reused without being made again when it was made from the same `key`: a number that,
 * with the appliance and what the lane's name fixes, determines it (ApplianceOffline: the last
 * check-in). Not making it matters: V8 allocates objects from a site whose objects used to survive
 * straight in the old generation, so a finding made and then dropped would be garbage there. With
 * no such number (key NaN) the finding is made and compared field by field.
 */
export interface FindingLane {
  /**
   * The finding for appliance `id` at position `i`: the previous pass's for that position when it
   * was made from the same key (or, key NaN, is equal to a new one), else `make()`. Positions come
   * in ascending order within a pass.
   */
  take(i: number, id: string, key: number, make: () => Finding): Finding;
}

interface LaneState {
  positions: number[];
  keys: number[];
  findings: Finding[];
}

/** A lane that keeps nothing: every finding is made afresh. */
export const FRESH_LANE: FindingLane = { take: (_i, _id, _key, make) => make() };

/**
 * The lanes of a cache, one per kind of per-appliance finding and what fixes the rest of its text
 * (a rollout, a policy's setting). What a pass takes becomes what the next pass can reuse; lanes a
 * pass does not use are forgotten.
 */
export class FindingLanes {
  private previous = new Map<string, LaneState>();
  private current = new Map<string, LaneState>();

  /** `texts` makes the message of each finding a lane keeps flat (see FlatTexts). */
  constructor(private readonly texts: FlatTexts | null = null) {}

  /** The lane named `name` for this pass. */
  lane(name: string): FindingLane {
    const before = this.previous.get(name);
    let now = this.current.get(name);
    if (!now) this.current.set(name, (now = { positions: [], keys: [], findings: [] }));
    const state = now;
    let k = 0;
    return {
      take: (i, id, key, make) => {
        let old: Finding | undefined;
        if (before) {
          while (k < before.positions.length && (before.positions[k] as number) < i) k++;
          const candidate = before.findings[k];
          if (before.positions[k] === i && candidate && candidate.appliance === id && (Number.isNaN(key) || before.keys[k] === key)) old = candidate;
        }
        let finding: Finding;
        if (old && !Number.isNaN(key)) finding = old;
        else {
          const made = make();
          finding = old && sameFinding(old, made) ? old : made;
          if (finding === made && this.texts) made.message = this.texts.flat(made.message);
        }
        state.positions.push(i);
        state.keys.push(key);
        state.findings.push(finding);
        return finding;
      },
    };
  }

  /** Ends a pass: what it took is what the next one can reuse. */
  rotate(): void {
    this.previous = this.current;
    this.current = new Map();
  }
}

function sameFinding(a: Finding, b: Finding): boolean {
  return (
    a.message === b.message &&
    a.type === b.type &&
    a.severity === b.severity &&
    a.appliance === b.appliance &&
    a.rollout === b.rollout &&
    a.policy === b.policy &&
    a.calendar === b.calendar &&
    a.since === b.since
  );
}
