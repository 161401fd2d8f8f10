import semver from 'semver';

const normalized = new Map<string, string | null>();
const MAX_REMEMBERED = 10_000;

/**
 * `1.0.49` for `v1.0.49`, `1.0.49` or `=1.0.49`; null when the text is not semver. A fleet reports
 * a handful of versions 100,000 times, so answers are remembered (a pure function's memo).
 */
export function normalizeVersion(version: string | null | undefined): string | null {
  if (version == null) return null;
  let answer = normalized.get(version);
  if (answer === undefined) {
    answer = semver.valid(version.trim());
    if (normalized.size >= MAX_REMEMBERED) normalized.clear();
    normalized.set(version, answer);
  }
  return answer;
}

/** semver order of two versions that may not be semver: unparseable ones sort first, then by text. */
export function compareVersions(a: string, b: string): number {
  const va = normalizeVersion(a);
  const vb = normalizeVersion(b);
  if (va && vb) return va === vb ? 0 : semver.compare(va, vb);
  if (va) return 1;
  if (vb) return -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Whether an appliance reporting `running` runs a release of `version`: equal once normalized
 * (`v3.1.0` and `3.1.0` are the same version), or equal as text when either is not semver. The
 * controller judges success and the agent stops installing by this one rule.
 */
export function sameVersion(running: string | null | undefined, version: string | null | undefined): boolean {
  if (running == null || version == null) return false;
  const a = normalizeVersion(running);
  const b = normalizeVersion(version);
  return a !== null && b !== null ? a === b : running.trim() === version.trim();
}
