import { createHash } from 'node:crypto';
import type { Notifier } from '../desired/types.js';
import type { RolloutPhase } from '../observed/state-schema.js';
import type { Finding, Plan } from '../reconcile/plan.js';
import { findingKey } from '../store/plan-writes.js';

/**
 * What notifiers are told, derived purely from what a plan changes: findings that open or resolve,
 * and rollouts that enter a phase. The store calls notificationEvents() inside the transaction that
 * applies the plan, so the outbox holds an event exactly when its cause was committed.
 */

/** One event as a receiver gets it (the `json` body; the `slack` text is made from it). */
export interface NotificationEvent {
  /** Stable: the same subject, type, transition and time always give the same id. */
  id: string;
  /** The plan's `now`: when the transition happened. */
  at: string;
  notifier: string;
  event: 'finding.opened' | 'finding.resolved' | 'rollout.phase';
  /** The finding type, or `RolloutPhase` for a rollout event. */
  type: string;
  severity?: string;
  phase?: RolloutPhase;
  previousPhase?: RolloutPhase | null;
  subject: { appliance?: string; rollout?: string; policy?: string; calendar?: string };
  message: string;
  /** The status page view of the subject, when the controller knows its public URL. */
  link?: string;
}

/** A row of the outbox: one event for one notifier, not to be sent before `notBefore`. */
export interface OutboxEntry {
  notifier: string;
  id: string;
  /** The finding key, or `rollout/NAME`: what a quiet period groups by. */
  subjectKey: string;
  notBefore: string;
  event: NotificationEvent;
}

/** A rollout that entered a phase. */
export interface PhaseChange {
  rollout: string;
  from: RolloutPhase | null;
  to: RolloutPhase;
  message: string;
}

/** What a plan changed, as the store saw it against what it held before. */
export interface PlanChange {
  opened: readonly Finding[];
  resolved: readonly Finding[];
  phases: readonly PhaseChange[];
}

export interface NotifyContext {
  notifiers: readonly Notifier[];
  /** The status page's base URL (`--public-url`), or null: then events carry no link. */
  publicUrl: string | null;
}

export interface OutboxChanges {
  add: OutboxEntry[];
  /** Resolutions held by a quiet period that a reopening cancels: neither is told. */
  cancel: { notifier: string; subjectKey: string }[];
}

/** The rollouts whose phase a plan changes, from its SetPhase actions, with their status messages. */
export function phaseChanges(plan: Plan): PhaseChange[] {
  const messages = new Map(plan.rollouts.map((r) => [r.name, r.message]));
  const changes: PhaseChange[] = [];
  for (const a of plan.actions) {
    if (a.type === 'SetPhase' && a.phase !== a.from) changes.push({ rollout: a.rollout, from: a.from, to: a.phase, message: messages.get(a.rollout) ?? '' });
  }
  return changes;
}

/** Whether a notifier wants to hear about a finding: its type and severity are each listed, or their list is absent. */
export function wantsFinding(notifier: Notifier, finding: Finding): boolean {
  const { findings, severities } = notifier.on;
  return (findings === null || findings.includes(finding.type)) && (severities === null || severities.includes(finding.severity));
}

/** `sha256(subject/type/transition/at)`, hex, 32 characters: what receivers deduplicate on. */
export function eventId(subjectKey: string, type: string, transition: string, at: string): string {
  return createHash('sha256').update(`${subjectKey}\u0000${type}\u0000${transition}\u0000${at}`).digest('hex').slice(0, 32);
}

/** The status page view of a subject: the appliance, else the rollout, else the findings of its type. */
export function linkFor(publicUrl: string | null, subject: NotificationEvent['subject'], type: string): string | undefined {
  if (!publicUrl) return undefined;
  const base = publicUrl.replace(/\/+$/, '');
  if (subject.appliance) return `${base}/appliances/${encodeURIComponent(subject.appliance)}`;
  if (subject.rollout) return `${base}/rollouts/${encodeURIComponent(subject.rollout)}`;
  return `${base}/findings?type=${encodeURIComponent(type)}`;
}

function subjectOf(f: Finding): NotificationEvent['subject'] {
  const subject: NotificationEvent['subject'] = {};
  if (f.appliance !== undefined) subject.appliance = f.appliance;
  if (f.rollout !== undefined) subject.rollout = f.rollout;
  if (f.policy !== undefined) subject.policy = f.policy;
  if (f.calendar !== undefined) subject.calendar = f.calendar;
  return subject;
}

function findingEntry(n: Notifier, f: Finding, transition: 'opened' | 'resolved', now: string, ctx: NotifyContext): OutboxEntry {
  const subjectKey = findingKey(f);
  const subject = subjectOf(f);
  const link = linkFor(ctx.publicUrl, subject, f.type);
  const event: NotificationEvent = {
    id: eventId(subjectKey, f.type, transition, now),
    at: now,
    notifier: n.name,
    event: `finding.${transition}`,
    type: f.type,
    severity: f.severity,
    subject,
    message: f.message,
    ...(link ? { link } : {}),
  };
  // A resolution waits out the quiet period: a reopening before then cancels it (no spam while flapping).
  const notBefore = transition === 'resolved' && n.quietPeriodMs > 0 ? new Date(Date.parse(now) + n.quietPeriodMs).toISOString() : now;
  return { notifier: n.name, id: event.id, subjectKey, notBefore, event };
}

function phaseEntry(n: Notifier, p: PhaseChange, now: string, ctx: NotifyContext): OutboxEntry {
  const subjectKey = `rollout/${p.rollout}`;
  const link = linkFor(ctx.publicUrl, { rollout: p.rollout }, 'RolloutPhase');
  const event: NotificationEvent = {
    id: eventId(subjectKey, p.to, 'entered', now),
    at: now,
    notifier: n.name,
    event: 'rollout.phase',
    type: 'RolloutPhase',
    phase: p.to,
    previousPhase: p.from,
    subject: { rollout: p.rollout },
    message: p.message,
    ...(link ? { link } : {}),
  };
  return { notifier: n.name, id: event.id, subjectKey, notBefore: now, event };
}

/**
 * The outbox rows a plan's changes call for at `now`: for every notifier, one per matching finding
 * opened or resolved and one per rollout entering a listed phase. `held` holds `notifier\0subjectKey`
 * of resolutions still waiting out a quiet period: a finding reopening then is not told, and the
 * held resolution is cancelled. Pure.
 */
export function notificationEvents(change: PlanChange, ctx: NotifyContext, now: string, held: ReadonlySet<string> = new Set()): OutboxChanges {
  const out: OutboxChanges = { add: [], cancel: [] };
  for (const n of ctx.notifiers) {
    for (const f of change.opened) {
      if (!wantsFinding(n, f)) continue;
      const subjectKey = findingKey(f);
      if (held.has(`${n.name}\u0000${subjectKey}`)) out.cancel.push({ notifier: n.name, subjectKey });
      else out.add.push(findingEntry(n, f, 'opened', now, ctx));
    }
    for (const f of change.resolved) if (wantsFinding(n, f)) out.add.push(findingEntry(n, f, 'resolved', now, ctx));
    for (const p of change.phases) if (n.on.rollouts.includes(p.to)) out.add.push(phaseEntry(n, p, now, ctx));
  }
  return out;
}
