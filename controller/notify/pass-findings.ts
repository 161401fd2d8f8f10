import type { Notifier } from '../desired/types.js';
import { sortFindings } from '../reconcile/findings/order.js';
import type { Finding, Plan } from '../reconcile/plan.js';
import type { OutboxStats } from '../store/outbox.js';
import { misconfiguredFindings, type ResolvedNotifier } from './secrets.js';

/**
 * One NotificationUndeliverable error per declared notifier that gave up on events since its last
 * delivery: it resolves once a later event to that notifier is delivered.
 */
export function undeliverableFindings(stats: OutboxStats, notifiers: readonly Notifier[]): Finding[] {
  const declared = new Set(notifiers.map((n) => n.name));
  return stats.undeliverable
    .filter((u) => declared.has(u.notifier))
    .map((u) => ({
      type: 'NotificationUndeliverable',
      severity: 'error',
      policy: u.notifier,
      since: u.since,
      message: `${u.count} notification${u.count === 1 ? '' : 's'} to ${u.notifier} given up after retrying past giveUpAfter${u.lastError ? ` (last error: ${u.lastError})` : ''}; see \`muster notifications\``,
    }));
}

/** The findings about notifiers a pass adds to its plan: misconfigured ones, and those that gave up. */
export function notifierFindings(notifiers: readonly Notifier[], resolve: (n: Notifier) => ResolvedNotifier, stats: OutboxStats): Finding[] {
  return [...misconfiguredFindings(notifiers, resolve), ...undeliverableFindings(stats, notifiers)];
}

/** The plan with `extra` findings merged in the plan's order, so status, metrics and the store see them like any other. */
export function withFindings(plan: Plan, extra: readonly Finding[]): Plan {
  return extra.length ? { ...plan, findings: sortFindings([...plan.findings, ...extra]) } : plan;
}
