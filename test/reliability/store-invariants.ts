import { isDeepStrictEqual } from 'node:util';
import type { Store } from '../../controller/store/store.js';

/** A check-in the simulated fleet sent, and whether the controller answered it 200. */
export interface SentCheckin {
  appliance: string;
  report: Record<string, unknown>;
  acked: boolean;
  /** The HTTP status of the answer, absent when none came (the controller was down). */
  status?: number;
}

/** Reads of the store the invariants are checked over. */
export interface StoreSnapshot {
  version: number;
  appliances: Map<string, Record<string, unknown>>;
  assignments: { rollout: string; appliance: string; release: string }[];
  events: { type: string; rollout: string | null; appliance: string | null; detail: Record<string, unknown> }[];
  rollouts: { name: string; phase: string; stage: number }[];
}

/** Everything the invariants need, read from the store as it is now. */
export async function snapshot(store: Store): Promise<StoreSnapshot> {
  const { state } = await store.loadObserved(new Date());
  const version = await store.stateVersion();
  const events = await store.listEvents({ limit: 1_000_000 });
  return {
    version,
    appliances: new Map(state.appliances.map((a) => [a.id, a as unknown as Record<string, unknown>])),
    assignments: state.rollouts.flatMap((r) => r.assignments.map((a) => ({ rollout: r.name, appliance: a.appliance, release: a.release }))),
    events: events.map((e) => ({ type: e.type, rollout: e.rollout, appliance: e.appliance, detail: e.detail as unknown as Record<string, unknown> })),
    rollouts: state.rollouts.map((r) => ({ name: r.name, phase: r.phase, stage: r.stage })),
  };
}

/** The fields of `stored` a check-in sets equal the report sent. */
function stores(stored: Record<string, unknown> | undefined, report: Record<string, unknown>): boolean {
  if (!stored) return false;
  return Object.entries(report).every(([key, value]) => key === 'id' || isDeepStrictEqual(stored[key] ?? null, value ?? null));
}

/**
 * Broken invariants, one sentence each (empty when all hold):
 * - every check-in answered 200 is stored: each appliance's stored report is its last acknowledged
 *   one or one it sent after it (a later check-in may have been written before the kill, unanswered);
 * - no appliance is assigned twice (no two targets);
 * - the state version never went down since `previousVersion`;
 * - no action was applied twice: one AssignRelease per rollout and appliance, one AdvanceStage per
 *   rollout and stage, one SetPhase per rollout and transition.
 */
export function brokenInvariants(snap: StoreSnapshot, sent: SentCheckin[], previousVersion: number): string[] {
  const broken: string[] = [];
  const byAppliance = new Map<string, SentCheckin[]>();
  for (const checkin of sent) byAppliance.set(checkin.appliance, [...(byAppliance.get(checkin.appliance) ?? []), checkin]);
  for (const [appliance, checkins] of byAppliance) {
    const lastAck = checkins.map((c) => c.acked).lastIndexOf(true);
    if (lastAck < 0) continue;
    if (!checkins.slice(lastAck).some((c) => stores(snap.appliances.get(appliance), c.report))) {
      broken.push(`${appliance}: its last check-in answered 200 is not what the store holds`);
    }
  }
  const assigned = new Map<string, number>();
  for (const a of snap.assignments) assigned.set(a.appliance, (assigned.get(a.appliance) ?? 0) + 1);
  for (const [appliance, count] of assigned) if (count > 1) broken.push(`${appliance} has ${count} targets`);
  if (snap.version < previousVersion) broken.push(`state version went down from ${previousVersion} to ${snap.version}`);
  const seen = new Set<string>();
  for (const e of snap.events) {
    const key =
      e.type === 'AssignRelease' ? `AssignRelease ${e.rollout} ${e.appliance}`
      : e.type === 'AdvanceStage' ? `AdvanceStage ${e.rollout} ${String(e.detail.from)}`
      : e.type === 'SetPhase' ? `SetPhase ${e.rollout} ${String(e.detail.from)}→${String(e.detail.phase)}`
      : null;
    if (key && seen.has(key)) broken.push(`applied twice: ${key}`);
    if (key) seen.add(key);
  }
  return broken;
}

/** What a finished rollout leaves behind, comparable between an interrupted run and a quiet one. */
export function endState(snap: StoreSnapshot): unknown {
  return {
    rollouts: snap.rollouts,
    assignments: snap.assignments.map((a) => `${a.rollout} ${a.appliance} ${a.release}`).sort(),
    images: [...snap.appliances.entries()].map(([id, a]) => `${id} ${String(a.imageVersion)}`).sort(),
  };
}
