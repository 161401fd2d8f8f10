import type { FieldPath, Placement } from './positions.js';
import { parseDuration } from './quantities.js';

/** A rule a Notifier's schema cannot say, placed at the field it is about. */
export interface NotifierProblem {
  path: FieldPath;
  message: string;
  placement: Placement;
}

/**
 * The problems of a Notifier spec that passed its schema: each secret source names exactly one of
 * `env` or `file`; durations fit and are not zero; no phase, type or severity is listed twice.
 */
export function notifierProblems(spec: Record<string, unknown>): NotifierProblem[] {
  const problems: NotifierProblem[] = [];
  for (const field of ['urlFrom', 'secretFrom'] as const) {
    const source = spec[field] as { env?: string; file?: string } | undefined;
    if (!source) continue;
    const given = ['env', 'file'].filter((k) => k in source);
    if (given.length !== 1) {
      const message = given.length === 0 ? `${field} must name an environment variable (env) or a file (file)` : `${field} must name env or file, not both`;
      problems.push({ path: ['spec', field], message, placement: given.length === 0 ? 'key' : 'value' });
    }
  }
  if (spec.format === 'slack' && spec.secretFrom) {
    problems.push({ path: ['spec', 'secretFrom'], message: 'secretFrom signs json bodies only; a slack webhook URL is its own secret', placement: 'key' });
  }
  for (const field of ['quietPeriod', 'timeout', 'giveUpAfter']) {
    const text = spec[field];
    if (typeof text !== 'string') continue;
    const ms = parseDuration(text);
    if (ms === null) problems.push({ path: ['spec', field], message: `duration \`${text}\` is too large`, placement: 'value' });
    else if (ms === 0 && field !== 'quietPeriod') problems.push({ path: ['spec', field], message: 'duration must be longer than 0s', placement: 'value' });
  }
  const on = (spec.on ?? {}) as Record<string, string[] | undefined>;
  for (const list of ['findings', 'severities', 'rollouts']) {
    (on[list] ?? []).forEach((value, i, all) => {
      if (all.indexOf(value) !== i) problems.push({ path: ['spec', 'on', list, i], message: `\`${value}\` is listed twice`, placement: 'value' });
    });
  }
  return problems;
}
