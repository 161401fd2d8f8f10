import { createHmac } from 'node:crypto';
import type { Notifier } from '../desired/types.js';
import type { NotificationEvent } from './events.js';

/** The header that carries a json body's signature: `sha256=` and the hex HMAC-SHA256 of the body. */
export const SIGNATURE_HEADER = 'x-muster-signature-256';
/** The header that carries the event id, for receivers that deduplicate before parsing. */
export const EVENT_ID_HEADER = 'x-muster-event-id';

/** `sha256=<hex HMAC-SHA256 of body under key>`. */
export function signature(body: string, key: string): string {
  return `sha256=${createHmac('sha256', key).update(body).digest('hex')}`;
}

/** Where an event is about, in a few words: `appliance lab-01`, `rollout v1.0.51`, `policy default`. */
export function subjectText(event: NotificationEvent): string {
  const s = event.subject;
  if (s.appliance) return s.rollout ? `appliance ${s.appliance} (rollout ${s.rollout})` : `appliance ${s.appliance}`;
  if (s.rollout) return `rollout ${s.rollout}`;
  if (s.policy) return s.calendar ? `${s.policy} (${s.calendar})` : s.policy;
  return 'the fleet';
}

/** One short line a person reads in a chat: what happened, where, why, and the link. */
export function slackText(event: NotificationEvent): string {
  const link = event.link ? ` <${event.link}|open in Muster>` : '';
  if (event.event === 'rollout.phase') {
    const was = event.previousPhase ? ` (was ${event.previousPhase})` : '';
    return `Rollout ${event.subject.rollout} is ${event.phase}${was}: ${event.message}${link}`;
  }
  if (event.event === 'finding.resolved') return `Resolved: ${event.type} on ${subjectText(event)}${link}`;
  return `${event.severity === 'error' ? 'Error' : event.severity === 'warning' ? 'Warning' : 'Info'}: ${event.type} on ${subjectText(event)}: ${event.message}${link}`;
}

/** The body and headers one event is POSTed with, in the notifier's format. */
export function requestFor(event: NotificationEvent, notifier: Pick<Notifier, 'format'>, key: string | null): { body: string; headers: Record<string, string> } {
  const headers: Record<string, string> = { 'content-type': 'application/json', [EVENT_ID_HEADER]: event.id };
  if (notifier.format === 'slack') return { body: JSON.stringify({ text: slackText(event) }), headers };
  const body = JSON.stringify(event);
  if (key !== null) headers[SIGNATURE_HEADER] = signature(body, key);
  return { body, headers };
}
