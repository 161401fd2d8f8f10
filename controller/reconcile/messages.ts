import type { RolloutPhase } from '../observed/state-schema.js';
import type { StatusCounts } from './plan.js';
import type { Hold } from './holds.js';
import type { LatchDecision } from './failure-policy.js';
import type { Cause, CauseKind } from './stuck-reasons.js';
import { toIso } from './time.js';

const LISTED = 3;

/** Stuck members as a message shows them: each worded when few, else counted by cause. */
export interface StuckSummary {
  count: number;
  /** `id cause` per member when there are at most three, else null. */
  listed: string[] | null;
  byKind: Map<CauseKind, number>;
}

/** Failed members as a message shows them: how many, and the first three with their errors. */
export interface FailedSummary {
  count: number;
  first: { id: string; error: string }[];
}

/** Summarizes stuck members (sorted by id) for a message, wording only those it lists. */
export function summarizeStuck(stuck: readonly Cause[], word: (cause: Cause) => string): StuckSummary {
  const byKind = new Map<CauseKind, number>();
  for (const c of stuck) byKind.set(c.kind, (byKind.get(c.kind) ?? 0) + 1);
  return { count: stuck.length, listed: stuck.length <= LISTED ? stuck.map(word) : null, byKind };
}

/** Summarizes failed members (sorted by id) for a message, reading the errors of the first three only. */
export function summarizeFailed<T>(failed: readonly T[], describe: (member: T) => { id: string; error: string }): FailedSummary {
  return { count: failed.length, first: failed.slice(0, LISTED).map(describe) };
}

export interface MessageInput {
  phase: RolloutPhase;
  decision: LatchDecision;
  stage: number;
  stages: number;
  percent: number;
  counts: StatusCounts;
  maxFailures: number;
  stuck: StuckSummary;
  failed: FailedSummary;
  /** How many unassigned members of the current cohort each hold keeps back. */
  holds: Map<Hold, number>;
  /** `mon 22:00–05:00 Europe/Berlin` when a window holds members back. */
  window: string | null;
  /** When the next stage begins, while the current one soaks. */
  nextStageAtMs: number | null;
  eligible: number;
  supersededBy: string[];
  withdrawn: number;
}

/**
 * One line a person can act on. It names what is wrong — the stuck appliances and why, the failed
 * ones and their errors, what holds the rest back — and never lists the appliances that are fine.
 */
export function rolloutMessage(m: MessageInput): string {
  const where = `Stage ${m.stage}/${m.stages} (${m.percent}%)`;
  const problems = problemText(m);
  switch (m.phase) {
    case 'Superseded':
      return `Superseded by ${m.supersededBy.join(', ') || 'newer rollouts'}: no member is left that it may assign (higher-ranked rollouts target them, or they run a newer version)`;
    case 'Complete': {
      const failed = m.counts.failed ? `, ${m.counts.failed} failed (within maxFailures ${m.maxFailures})` : '';
      return `Complete: ${m.counts.succeeded} succeeded${failed}`;
    }
    case 'Paused':
    case 'Aborted':
      return stoppedText(m, where, problems);
    case 'Pending':
      return `${where}: nothing assigned yet: ${pendingText(m)}`;
    default: {
      const soak = m.nextStageAtMs !== null ? `stage complete, stage ${m.stage + 1} begins at ${toIso(m.nextStageAtMs)}` : '';
      const counts = [progressText(m), problems].filter(Boolean).join(', ');
      return `${where}: ${[counts, heldText(m), soak].filter(Boolean).join('; ')}`;
    }
  }
}

/** The CamelCase reason of a Pending rollout's conditions. */
export function pendingReason(m: Pick<MessageInput, 'eligible' | 'holds'>): string {
  if (m.eligible === 0) return 'NoEligibleAppliances';
  if (m.holds.get('window')) return 'WindowClosed';
  if (m.holds.get('deferring')) return 'AppliancesDeferring';
  if (m.holds.get('budget')) return 'DisruptionBudget';
  return 'WaitingToStart';
}

function stoppedText(m: MessageInput, where: string, problems: string): string {
  const d = m.decision;
  if (d.kind === 'spec-paused') return `Paused by its spec at ${lower(where)}${problems ? `: ${problems}` : ''}`;
  const verb = m.phase === 'Aborted' ? 'Aborted' : 'Paused';
  const since = d.kind === 'held' || d.kind === 'tripped' ? ` since ${toIso(d.sinceMs)}` : '';
  const failures = m.failed.count ? `${m.failed.count} failed, more than maxFailures ${m.maxFailures}` : `more than maxFailures ${m.maxFailures} failed`;
  const listed = m.failed.count ? ` (${listFailed(m.failed)})` : '';
  const withdrawn = m.withdrawn ? `; withdrawn from ${m.withdrawn} that had not succeeded` : '';
  return `${verb} at ${lower(where)}${since}: ${failures}${listed}${withdrawn}; a commit that changes the rollout ${verb === 'Aborted' ? 'restarts' : 'resumes'} it`;
}

function problemText(m: MessageInput): string {
  const parts: string[] = [];
  if (m.stuck.count) parts.push(`${m.stuck.count} stuck (${listStuck(m.stuck)})`);
  if (m.failed.count && m.phase !== 'Paused' && m.phase !== 'Aborted') parts.push(`${m.failed.count} failed (${listFailed(m.failed)})`);
  return parts.join(', ');
}

function progressText(m: MessageInput): string {
  const parts = [`${m.counts.succeeded} succeeded`];
  if (m.counts.updating) parts.push(`${m.counts.updating} updating`);
  if (m.counts.pending) parts.push(`${m.counts.pending} pending`);
  return parts.join(', ');
}

function heldText(m: MessageInput): string {
  const parts: string[] = [];
  const n = (hold: Hold) => m.holds.get(hold) ?? 0;
  if (n('maxConcurrent')) parts.push(`${n('maxConcurrent')} waiting for maxConcurrent`);
  if (n('deferring')) parts.push(`${n('deferring')} deferring updates`);
  if (n('budget')) parts.push(`${n('budget')} waiting for a disruption budget`);
  if (n('window')) parts.push(`${n('window')} waiting for the window (${m.window ?? 'closed'})`);
  return parts.join(', ');
}

function pendingText(m: MessageInput): string {
  if (m.eligible === 0) return 'no eligible appliances match its selector';
  const held = heldText(m);
  return held || 'waiting to start';
}

function listStuck(stuck: StuckSummary): string {
  if (stuck.listed) return stuck.listed.join(', ');
  const label: Record<string, string> = {
    offline: 'offline',
    'never-checked-in': 'never checked in since assignment',
    deferring: 'deferring',
    'in-phase': 'in an update phase too long',
    'not-acknowledged': 'never acknowledged',
  };
  return [...stuck.byKind].sort(([a], [b]) => (a < b ? -1 : 1)).map(([kind, n]) => `${n} ${label[kind] ?? kind}`).join(', ');
}

function listFailed(failed: FailedSummary): string {
  const shown = failed.first.map((f) => `${f.id}: ${f.error}`);
  if (failed.count > LISTED) shown.push(`+${failed.count - LISTED} more`);
  return shown.join('; ');
}

function lower(where: string): string {
  return where.charAt(0).toLowerCase() + where.slice(1);
}
