import type { Action, ActionType, Finding, Plan } from '../reconcile/plan.js';
import type { StoredFinding } from './store.js';

/**
 * The pure half of applying a plan: what rows a plan writes, independent of the SQL dialect. The
 * stores run these rows through their own statements inside one transaction.
 */

/** Consecutive actions of one type, in plan order: each run becomes one statement (or one loop). */
export type ActionRun = { [K in ActionType]: { type: K; actions: Extract<Action, { type: K }>[] } }[ActionType];

/** Splits the actions into runs of the same type, keeping plan order (a SetPhase that creates a rollout precedes what follows it). */
export function actionRuns(actions: readonly Action[]): ActionRun[] {
  const runs: { type: ActionType; actions: Action[] }[] = [];
  for (const action of actions) {
    const last = runs[runs.length - 1];
    if (last && last.type === action.type) last.actions.push(action);
    else runs.push({ type: action.type, actions: [action] });
  }
  return runs as ActionRun[];
}

export interface EventRow {
  at: string;
  revision: string | null;
  type: ActionType;
  rollout: string | null;
  appliance: string | null;
  detail: string;
}

/** One events-log row per action, all at the plan's `now` and tagged with the revision. */
export function eventRows(plan: Plan, revision: string | null): EventRow[] {
  return plan.actions.map((action) => ({
    at: plan.now,
    revision,
    type: action.type,
    rollout: 'rollout' in action ? action.rollout : null,
    appliance: 'appliance' in action ? action.appliance : null,
    detail: JSON.stringify(action),
  }));
}

/**
 * What a SetPhase does to the failure latch: absent `latch` keeps it; null clears it (stored as JSON
 * `null`, so the rollout reads back with `latch: null`, as applyPlanToState leaves it); `{phase, specHash}`
 * records `{phase, specHash, at: now}`.
 */
export function latchWrite(action: Extract<Action, { type: 'SetPhase' }>, now: string): { set: false } | { set: true; json: string } {
  if (action.latch === undefined) return { set: false };
  if (action.latch === null) return { set: true, json: 'null' };
  return { set: true, json: JSON.stringify({ phase: action.latch.phase, specHash: action.latch.specHash, at: now }) };
}

/**
 * A finding's identity across plans: its type and subject, `type/appliance/rollout/policy`, and
 * `/calendar` after that when it names one (one OtsCalendarNotFound per calendar of a policy).
 */
export function findingKey(finding: Finding): string {
  // Joined, not a template: V8 builds a template's result as a chain of concatenations, and the open
  // findings keep 300,000 keys at 100,000 appliances (the map and its keys: 56 MB that way, 32 MB flat).
  const parts = [finding.type, finding.appliance ?? '', finding.rollout ?? '', finding.policy ?? ''];
  if (finding.calendar !== undefined) parts.push(finding.calendar);
  return parts.join('/');
}

export interface FindingRow {
  key: string;
  type: string;
  severity: string;
  appliance: string | null;
  rollout: string | null;
  policy: string | null;
  calendar: string | null;
  since: string | null;
  message: string;
}

/** A finding as the row that stores it under `key`. */
export function findingRow(f: Finding, key = findingKey(f)): FindingRow {
  return {
    key,
    type: f.type,
    severity: f.severity,
    appliance: f.appliance ?? null,
    rollout: f.rollout ?? null,
    policy: f.policy ?? null,
    calendar: f.calendar ?? null,
    since: f.since ?? null,
    message: f.message,
  };
}

/** The plan's findings by key, one per key (a later duplicate replaces an earlier one). */
export function findingsByKey(findings: readonly Finding[]): Map<string, Finding> {
  const byKey = new Map<string, Finding>();
  for (const f of findings) byKey.set(findingKey(f), f);
  return byKey;
}

/** The rollouts and appliances a plan's actions touch, sorted. */
export function touchedBy(actions: readonly Action[]): { rollouts: string[]; appliances: string[] } {
  const rollouts = new Set<string>();
  const appliances = new Set<string>();
  for (const a of actions) {
    if ('rollout' in a) rollouts.add(a.rollout);
    if ('appliance' in a) appliances.add(a.appliance);
  }
  return { rollouts: [...rollouts].sort(), appliances: [...appliances].sort() };
}

/** `proofsExpired` for an apply's counts when the plan expires proofs; nothing otherwise. */
export function expiredCount(plan: Plan, proofsExpired: number): { proofsExpired?: number } {
  return plan.actions.some((a) => a.type === 'ExpireProofs') ? { proofsExpired } : {};
}

/** A findings row as read back. */
export interface FindingRecord extends FindingRow {
  firstSeen: string;
  lastSeen: string;
  resolvedAt: string | null;
}

/** A findings row as a StoredFinding: the optional subject fields only when set. */
export function findingFromRow(row: FindingRecord): StoredFinding {
  const finding = { key: row.key, type: row.type, severity: row.severity, message: row.message } as StoredFinding;
  if (row.appliance !== null) finding.appliance = row.appliance;
  if (row.rollout !== null) finding.rollout = row.rollout;
  if (row.policy !== null) finding.policy = row.policy;
  if (row.calendar !== null) finding.calendar = row.calendar;
  if (row.since !== null) finding.since = row.since;
  return { ...finding, firstSeen: row.firstSeen, lastSeen: row.lastSeen, resolvedAt: row.resolvedAt };
}
