import { readFileSync } from 'node:fs';
import type { Notifier, SecretRef } from '../desired/types.js';
import type { Finding } from '../reconcile/plan.js';

/** Where a notifier sends and with which key, once its secrets are read. */
export type ResolvedNotifier = { ok: true; url: string; key: string | null } | { ok: false; problem: string };

/** Reads secrets: the controller's environment and its files; tests pass their own. */
export interface SecretReader {
  env: (name: string) => string | undefined;
  file: (path: string) => string;
}

export const processSecrets: SecretReader = {
  env: (name) => process.env[name],
  file: (path) => readFileSync(path, 'utf8'),
};

function read(ref: SecretRef, what: string, reader: SecretReader): { value: string } | { problem: string } {
  if ('env' in ref) {
    const value = reader.env(ref.env)?.trim();
    return value ? { value } : { problem: `${what}: environment variable ${ref.env} is not set or empty` };
  }
  try {
    const value = reader.file(ref.file).trim();
    return value ? { value } : { problem: `${what}: file ${ref.file} is empty` };
  } catch (err) {
    return { problem: `${what}: cannot read ${ref.file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})` };
  }
}

/** The notifier's URL and signing key, or why they cannot be had. Never throws. */
export function resolveNotifier(n: Notifier, reader: SecretReader = processSecrets): ResolvedNotifier {
  const url = read(n.urlFrom, 'urlFrom', reader);
  if ('problem' in url) return { ok: false, problem: url.problem };
  try {
    const parsed = new URL(url.value);
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return { ok: false, problem: 'urlFrom: the URL must be http:// or https://' };
  } catch {
    // The URL is a secret: say where it came from, never what it is.
    return { ok: false, problem: 'urlFrom: the value is not a valid URL' };
  }
  if (!n.secretFrom) return { ok: true, url: url.value, key: null };
  const key = read(n.secretFrom, 'secretFrom', reader);
  return 'problem' in key ? { ok: false, problem: key.problem } : { ok: true, url: url.value, key: key.value };
}

/** One NotifierMisconfigured error per notifier whose URL or key cannot be read, naming why. */
export function misconfiguredFindings(notifiers: readonly Notifier[], resolve: (n: Notifier) => ResolvedNotifier): Finding[] {
  const findings: Finding[] = [];
  for (const n of notifiers) {
    const resolved = resolve(n);
    if (!resolved.ok) {
      findings.push({ type: 'NotifierMisconfigured', severity: 'error', policy: n.name, message: `Notifier ${n.name} cannot send: ${resolved.problem}; its events wait in the outbox` });
    }
  }
  return findings;
}
