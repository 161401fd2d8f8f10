import type { Notifier } from '../../controller/desired/types.js';
import type { Finding } from '../../controller/reconcile/plan.js';

/** A notifier with every default; fields override them. */
export function notifier(name: string, fields: Partial<Notifier> = {}): Notifier {
  return {
    name,
    format: 'json',
    urlFrom: { env: 'HOOK_URL' },
    secretFrom: null,
    on: { findings: null, severities: null, rollouts: ['Stalled', 'Paused', 'Aborted', 'Complete'] },
    quietPeriodMs: 0,
    timeoutMs: 10_000,
    giveUpAfterMs: 86_400_000,
    ...fields,
  };
}

export function finding(type: Finding['type'], fields: Partial<Finding> = {}): Finding {
  return { type, severity: 'error', message: `${type} happened`, ...fields };
}
