import type { LoadedDocument } from './check-file.js';
import { parseDuration } from './quantities.js';
import { DEFAULT_NOTIFIED_PHASES, type NotifierSpec } from './schema/notifier.js';
import type { Notifier, SecretRef } from './types.js';

export const DEFAULT_NOTIFY_TIMEOUT = '10s';
export const DEFAULT_GIVE_UP_AFTER = '24h';

function secretRef(source: { env?: string; file?: string }): SecretRef {
  return source.env !== undefined ? { env: source.env } : { file: source.file ?? '' };
}

/** A checked Notifier document as the typed Notifier: defaults applied, durations in ms. */
export function notifier(doc: LoadedDocument): Notifier {
  const spec = doc.value.spec as NotifierSpec;
  const name = (doc.value.metadata as { name: string }).name;
  return {
    name,
    format: spec.format,
    urlFrom: secretRef(spec.urlFrom),
    secretFrom: spec.secretFrom ? secretRef(spec.secretFrom) : null,
    on: {
      findings: spec.on?.findings ?? null,
      severities: spec.on?.severities ?? null,
      rollouts: spec.on?.rollouts ?? [...DEFAULT_NOTIFIED_PHASES],
    },
    quietPeriodMs: parseDuration(spec.quietPeriod ?? '0s') ?? 0,
    timeoutMs: parseDuration(spec.timeout ?? DEFAULT_NOTIFY_TIMEOUT) ?? 10_000,
    giveUpAfterMs: parseDuration(spec.giveUpAfter ?? DEFAULT_GIVE_UP_AFTER) ?? 86_400_000,
  };
}
